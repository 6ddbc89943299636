"""The published results: ranked per category with section columns and the change against
the previous period, the small-sample guard, an xlsx in the layout offices use and a PDF
通报.

Ranks shown here are places among the subjects whose rates rest on enough matters (the
scheme's ``min_matters``): a unit with one matter must not top a ranking. The engine's own
rank stays in the stored result (the shape of ``assess --json``).
"""

from __future__ import annotations

import io
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter

from xinfang.assessment.choices import FINAL_STATUSES
from xinfang.assessment.models import Period, Result
from xinfang.assessment.ratings import components, composite_items
from xinfang.assessment.rulebook import Rulebook
from xinfang.assessment.scoring import rulebook_of

__all__ = ["XLSX_MIME", "RankedRow", "Ranking", "ranking", "results_xlsx"]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RankedRow:
    subject: str
    name: str
    category: str
    score: float | None
    sections: list[float | None]
    grade: str | None
    vetoes: list[str]
    place: int | None
    small_sample: bool
    change: float | None
    previous_place: int | None
    unit_id: int | None
    honours_lost: str | None = None
    # The composite's parts (Loudi: 指标考核, 公众评议, 领导评价, 同级评价): points each gives.
    components: list[float] = field(default_factory=list)


@dataclass
class Ranking:
    period: Period
    sections: list[tuple[str, str]]
    categories: dict[str, list[RankedRow]] = field(default_factory=dict)
    previous: Period | None = None
    components: list[tuple[str, str]] = field(default_factory=list)


def _sections(rb: Rulebook) -> list[tuple[str, str]]:
    return [(s.code, s.title) for s in rb.sections if s.mode != "record"]


def _places(results: Sequence[Any]) -> dict[str, int]:
    """Places within each category among the subjects not flagged, in the engine's order
    (ties share a place). ``results``: stored results, or rows with their fields."""
    places: dict[str, int] = {}
    by_cat: dict[str, list[Any]] = {}
    for r in results:
        if not r.small_sample and r.rank is not None:
            by_cat.setdefault(r.category, []).append(r)
    for rows in by_cat.values():
        rows.sort(key=lambda r: (r.rank or 0, r.position))
        ranks = [r.rank or 0 for r in rows]
        for r in rows:
            # 1 + how many rank strictly better (a sorted list: one binary search)
            places[r.subject] = 1 + bisect_left(ranks, r.rank or 0)
    return places


def previous_period(period: Period) -> Period | None:
    return (
        Period.objects.filter(scheme=period.scheme, status__in=FINAL_STATUSES, end__lt=period.start)
        .order_by("-end")
        .first()
    )


def year_periods(period: Period) -> list[Period]:
    """The scheme's closed periods of the same calendar year up to this one (this one
    included once it is closed): those :func:`honours_lost` reads."""
    return list(
        Period.objects.filter(
            scheme=period.scheme,
            status__in=FINAL_STATUSES,
            end__year=period.end.year,
            end__lte=period.end,
        ).order_by("end", "pk")
    )


def honours_lost(period: Period) -> dict[str, str]:
    """A rule across periods, which one period's rulebook cannot express (Pinghu: "below
    the pass mark once in a year loses the annual honours"): each subject that was not
    qualified (below the rulebook's pass mark, or vetoed) in a closed period of the scheme
    in the same calendar year, up to this one, with the first such period's title."""
    rb, _e, _w = rulebook_of(period.scheme.rulebook_text)
    if rb.pass_mark is None:
        return {}
    unqualified = (
        Result.objects.filter(
            period__scheme=period.scheme,
            period__status__in=FINAL_STATUSES,
            period__end__year=period.end.year,
            period__end__lte=period.end,
            data__qualified=False,
        )
        .order_by("period__end", "period_id", "position")
        .values_list("subject", "period__title")
    )
    lost: dict[str, str] = {}
    for subject, title in unqualified:
        lost.setdefault(subject, title)
    return lost


PLACE_FIELDS = ("subject", "score", "rank", "category", "position", "small_sample")


def ranking(period: Period, results: Sequence[Any] | None = None) -> Ranking:
    """The ranked page's rows, per category, best first; flagged subjects last, unranked.
    ``results``: the period's results in their stored order when the caller holds them
    (the close, which has just written them), else read."""
    rb, _e, _w = rulebook_of(period.scheme.rulebook_text)
    sections = _sections(rb)
    if results is None:
        results = list(Result.objects.filter(period=period).order_by("position"))
    places = _places(results)
    prev = previous_period(period)
    # The previous period's scores and places only (not its documents).
    prev_rows = (
        list(Result.objects.filter(period=prev).values_list(*PLACE_FIELDS, named=True))
        if prev
        else []
    )
    prev_score = {r.subject: r.score for r in prev_rows}
    prev_place = _places(prev_rows)
    lost = honours_lost(period)
    parts = composite_items(rb)
    comps = components(period) if parts else {}
    out = Ranking(
        period=period,
        sections=sections,
        previous=prev,
        components=[(p.code, f"{p.title}×{p.weight:g}") for p in parts],
    )
    codes = [code for code, _t in sections]
    for r in results:
        before = prev_score.get(r.subject)
        data = r.data
        got = data.get("sections") or {}
        out.categories.setdefault(r.category or "—", []).append(
            RankedRow(
                subject=r.subject,
                name=data.get("name") or r.subject,
                category=r.category,
                score=r.score,
                sections=[got.get(code) for code in codes],
                grade=data.get("grade"),
                vetoes=list(data.get("vetoes") or []),
                place=places.get(r.subject),
                small_sample=r.small_sample,
                change=None if before is None or r.score is None else round(r.score - before, 4),
                previous_place=prev_place.get(r.subject),
                unit_id=r.unit_id,
                honours_lost=lost.get(r.subject),
                components=[c.points for c in comps.get(r.subject, [])],
            )
        )
    for rows in out.categories.values():
        rows.sort(key=lambda x: (x.place is None, x.place or 0, x.subject))
    out.categories = dict(sorted(out.categories.items()))
    return out


def _num(x: float | None) -> Any:
    return "" if x is None else round(x, 4)


def results_xlsx(period: Period) -> bytes:
    """One sheet per category: 名次, 单位, 各节得分, 总分, 等次, 较上期, 备注 (as offices lay it
    out in their 考评结果汇总表)."""
    r = ranking(period)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#DDEBF7"})
    cell = book.add_format({"border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    for category, rows in r.categories.items():
        sheet = book.add_worksheet(f"{category}类"[:31])
        sheet.write(0, 0, f"{period.title} 考评结果（{category}类）", title)
        header = [
            "名次",
            "单位",
            *[f"{code} {t}" for code, t in r.sections],
            *[f"{code} {t}" for code, t in r.components],
            "总分",
            "等次",
            "较上期",
            "备注",
        ]
        for c, h in enumerate(header):
            sheet.write(2, c, h, head)
        for i, row in enumerate(rows, start=3):
            note = "、".join(
                [
                    *(["样本不足，不参与排名"] if row.small_sample else []),
                    *row.vetoes,
                    *(
                        [f"{row.honours_lost}未达合格线，本年度不得评优"]
                        if row.honours_lost
                        else []
                    ),
                ]
            )
            values = [
                row.place if row.place is not None else "—",
                row.name,
                *[_num(s) for s in row.sections],
                *[_num(c) for c in row.components],
                _num(row.score),
                row.grade or "",
                _num(row.change),
                note,
            ]
            for c, v in enumerate(values):
                sheet.write(i, c, v, cell)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 1 + len(r.sections) + len(r.components), 14)
    book.close()
    return buf.getvalue()
