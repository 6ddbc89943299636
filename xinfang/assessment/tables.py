"""The ranked results page's tables, rendered when a period closes and stored with it.

A results page of 5,000 units holds some 75,000 numbers; rendered through the template
engine on a page view it took longer than a worker may take. So the close renders both
tables (the office's, whose names link to the unit pages, and everyone else's) and stores
them (:class:`~xinfang.assessment.models.RankedTable`); a page view reads one.

A table's key names the period's results version (set by each close) and those of the
periods it compares with (the previous period, the earlier periods of the same year for
the lost honours), so a period closed again, or an earlier period closed after it, never
serves a stale table: closing a period also renders again the later periods that compare
with it, and a table whose key does not match is rendered on the spot (the periods closed
before tables were stored).

Numbers read exactly as the template engine's localisation would show them
(:func:`number`), names and texts are escaped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import escape

from xinfang.assessment.choices import FINAL_STATUSES
from xinfang.assessment.models import Period, RankedTable
from xinfang.assessment.publication import Ranking, previous_period, ranking, year_periods
from xinfang.core.memo import ProcessMemo

__all__ = ["RANKED_TABLES", "number", "ranked_table", "render_table", "store_tables"]

# The tables this process last served, by key and audience.
RANKED_TABLES: ProcessMemo[str] = ProcessMemo(8)
AUDIENCES = (True, False)  # the office's table, everyone else's


def compared(period: Period) -> tuple[Period | None, list[Period]]:
    """The periods the period's table compares with: the previous one and the earlier
    closed ones of the same year."""
    earlier = [p for p in year_periods(period) if p.pk != period.pk]
    return previous_period(period), earlier


def table_key(period: Period, previous: Period | None, earlier: Sequence[Period]) -> str:
    periods = [*earlier, *([previous] if previous else [])]
    versions = sorted({(p.pk, p.results_version) for p in periods})
    text = f"{period.pk}.{period.results_version}|" + ",".join(f"{a}.{b}" for a, b in versions)
    return hashlib.sha256(text.encode()).hexdigest()


def number(x: float | int | None) -> str:
    """``x`` as the template engine shows it (``formats.localize``), None as blank: plain
    ``repr`` with the locale's decimal mark where no grouping applies, else localize."""
    if x is None:
        return ""
    if isinstance(x, bool) or settings.USE_THOUSAND_SEPARATOR:
        return str(formats.localize(x))
    text = repr(x)
    if "e" in text or "E" in text or isinstance(x, int):
        return str(formats.localize(x))
    mark = _decimal_mark()
    return text if mark == "." else text.replace(".", mark)


def _decimal_mark() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR"))


def render_table(period: Period, r: Ranking, *, office: bool) -> str:
    """Per category: a heading and the table of 名次, 单位, the sections, the composite's
    parts, 总分, 等次, 较上期 and 备注."""
    head = "".join(
        [
            "<th>名次</th><th>单位</th>",
            *(f"<th>{escape(code)} {escape(title)}</th>" for code, title in r.sections),
            *(f"<th>{escape(code)} {escape(title)}</th>" for code, title in r.components),
            "<th>总分</th><th>等次</th><th>较上期</th><th>备注</th>",
        ]
    )
    # The unit page's address, reversed once: ".../units/<id>/".
    link = reverse("assessment:unit_detail", args=[period.pk, 0])[: -len("0/")]
    out: list[str] = []
    seen: dict[float | int | None, str] = {}

    def num(x: float | int | None) -> str:
        found = seen.get(x)
        if found is None:
            found = seen[x] = number(x)
        return found

    for category, rows in r.categories.items():
        out.append(f'<h2>{escape(category)}类</h2>\n<table class="ranking"><thead><tr>')
        out.append(head)
        out.append("</tr></thead><tbody>\n")
        for row in rows:
            name: str = escape(row.name)
            if office and row.unit_id is not None:
                name = f'<a href="{link}{row.unit_id}/">{name}</a>'
            lost = row.honours_lost
            note = [
                "样本不足，不参与排名" if row.small_sample else "",
                "、".join(escape(v) for v in row.vetoes),
                f"{escape(lost)}未达合格线，本年度不得评优" if lost else "",
            ]
            out.append(
                "".join(
                    [
                        f"<tr><td>{row.place or '—'}</td><td>{name}</td>",
                        *(f"<td>{num(s)}</td>" for s in row.sections),
                        *(f"<td>{num(c)}</td>" for c in row.components),
                        f"<td>{num(row.score)}</td><td>{escape(row.grade or '')}</td>",
                        f"<td>{num(row.change)}</td><td>{' '.join(n for n in note if n)}</td>",
                        "</tr>\n",
                    ]
                )
            )
        out.append("</tbody></table>\n")
    return "".join(out)


def _store(period: Period, key: str, results: Sequence[Any] | None = None) -> dict[bool, str]:
    r = ranking(period, results)
    # One table for every reader, whatever the language of the request that closed it.
    with translation.override(settings.LANGUAGE_CODE):
        tables = {office: render_table(period, r, office=office) for office in AUDIENCES}
    with transaction.atomic():
        RankedTable.objects.filter(period=period).delete()
        RankedTable.objects.bulk_create(
            RankedTable(period=period, office=office, key=key, html=html)
            for office, html in tables.items()
        )

    def remember() -> None:  # not a table a rolled-back close rendered
        for office, html in tables.items():
            RANKED_TABLES.remember(f"{key}:{int(office)}", html, tag=period.pk)

    transaction.on_commit(remember)
    return tables


def store_tables(period: Period, results: Sequence[Any] | None = None) -> None:
    """Render and store the tables of a period just closed (``results``: the results the
    close wrote, in their order), and again those of the later closed periods of the
    scheme that compare with it (an earlier period closed after them)."""
    RANKED_TABLES.forget(period.pk)
    _store(period, table_key(period, *compared(period)), results)
    later = Period.objects.filter(
        scheme=period.scheme, status__in=FINAL_STATUSES, end__gt=period.end
    ).select_related("scheme")
    for other in later:
        key = table_key(other, *compared(other))
        if not RankedTable.objects.filter(period=other, key=key).exists():
            RANKED_TABLES.forget(other.pk)
            _store(other, key)


def ranked_table(period: Period, *, office: bool) -> tuple[str, Period | None]:
    """The period's stored table for the audience, and the period it compares with."""
    previous, earlier = compared(period)
    key = table_key(period, previous, earlier)
    memo = f"{key}:{int(office)}"
    html = RANKED_TABLES.get(memo)
    if html is None:
        html = (
            RankedTable.objects.filter(period=period, office=office, key=key)
            .values_list("html", flat=True)
            .first()
        )
        if html is None:  # closed before tables were stored with it
            html = _store(period, key)[office]
        RANKED_TABLES.remember(memo, html, tag=period.pk)
    return html, previous
