"""REST API of the statistics, mounted at ``/api/statistics/``.

The same figures as the pages, for the unit's subtree (404 alike for a missing unit and
one outside the caller's subtrees); ``matters`` lists those behind one figure, scoped like
the pages, so every figure of the pages and of the annual report is reproducible here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from xinfang.core.api_schema import Day, Limit, Offset, PathPk, QuerySchema, errors
from xinfang.core.querysets import get_object_for_user
from xinfang.org.models import Unit
from xinfang.petitions.measures import MeasureWindow, level_rank
from xinfang.petitions.models import Petition
from xinfang.statistics.errors import StatisticsInvalid
from xinfang.statistics.figures import figure_matters, subtree_matters
from xinfang.statistics.periods import month_start, parse_period
from xinfang.statistics.ranking import DEFAULT_MIN_SAMPLE, Weights, ranking_page
from xinfang.statistics.report import annual_report, report_lines
from xinfang.statistics.summary import StatRow, subtree_statistics

router = Router(tags=["统计分析"])

Period = Field(
    "", max_length=30, description="2026-08、2026-Q3、2026 或 2026-01-01~2026-03-31；默认本月"
)


def _unit(request: HttpRequest, pk: int) -> Unit:
    return get_object_for_user(
        Unit.objects.all(), getattr(request, "auth", None), action="view", pk=pk
    )


def flat_figures(row: StatRow) -> dict[str, int]:
    """Every figure of a row by its key (the keys ``matters`` accepts)."""
    m = row.figures.measures
    out = {k: v for k, v in row.figures.counts.items() if v}
    for name, ratio in (
        ("timely_acceptance", m.timely_acceptance),
        ("on_time_completion", m.on_time_completion),
        ("satisfaction", m.satisfaction),
    ):
        out[f"{name}.numerator"] = ratio.numerator
        out[f"{name}.denominator"] = ratio.denominator
        if name != "satisfaction":  # a rating has no due date to wait for
            out[f"{name}.pending"] = ratio.pending
    for name, band in (("backlog", m.backlog), ("backlog_resolved", m.backlog_resolved)):
        out[f"{name}.total"] = band.total
        out[f"{name}.over_5y"] = band.over_5y
        out[f"{name}.over_10y"] = band.over_10y
    out["repeat"] = m.repeat
    out["escalated"] = row.escalated
    return out


class FigureFilter(QuerySchema):
    period: str = Period


class FiguresOut(Schema):
    unit: int
    unit_name: str
    period: str
    start: date
    end: date
    figures: dict[str, int]


@router.get(
    "/units/{pk}/figures",
    response={200: FiguresOut, **errors(404)},
    url_name="statistics_figures",
)
def unit_figures(request: HttpRequest, pk: PathPk, filters: Query[FigureFilter]) -> dict[str, Any]:
    """Every figure of the unit's subtree over the period (keys as ``matters`` takes them)."""
    unit = _unit(request, pk)
    period = parse_period(filters.period, today=timezone.localdate())
    stats = subtree_statistics(unit, period)
    return {
        "unit": unit.pk,
        "unit_name": unit.name,
        "period": period.value,
        "start": period.start,
        "end": period.end,
        "figures": flat_figures(stats.total),
    }


class MatterFilter(QuerySchema):
    period: str = Period
    figure: str = Field(..., max_length=60, description="统计项，如 received、channel:letter")
    offset: Offset = 0
    limit: Limit = 50


class MatterOut(Schema):
    id: int
    number: str | None
    received_on: date
    status: str
    responsible_unit: str


class MatterPage(Schema):
    count: int
    items: list[MatterOut]


@router.get(
    "/units/{pk}/matters",
    response={200: MatterPage, **errors(404)},
    url_name="statistics_matters",
)
def figure_matter_list(
    request: HttpRequest, pk: PathPk, filters: Query[MatterFilter]
) -> dict[str, Any]:
    """The matters behind one figure (those the caller may see)."""
    unit = _unit(request, pk)
    period = parse_period(filters.period, today=timezone.localdate())
    w = MeasureWindow.of(period.start, period.end)
    scoped = Petition.objects.restrict(getattr(request, "auth", None), "view")
    scoped = scoped & subtree_matters(unit)
    matters = figure_matters(scoped, filters.figure, w, rank=level_rank(unit))
    matters = matters.select_related("responsible_unit").order_by("-received_on", "-pk")
    items = matters[filters.offset : filters.offset + filters.limit]
    return {
        "count": matters.count(),
        "items": [
            {
                "id": p.pk,
                "number": p.number,
                "received_on": p.received_on,
                "status": p.status,
                "responsible_unit": p.responsible_unit.name,
            }
            for p in items
        ],
    }


class ReportLineOut(Schema):
    section: str
    label: str
    value: int | str
    figure: str
    unit: int


class ReportOut(Schema):
    unit: int
    year: int
    counted_at: datetime = Field(description="年度汇总的统计时间（各行数据截至此时）")
    as_of: date = Field(description="计至日期")
    lines: list[ReportLineOut]


@router.get(
    "/units/{pk}/annual/{year}",
    response={200: ReportOut, **errors(404)},
    url_name="statistics_annual",
)
def annual_report_figures(request: HttpRequest, pk: PathPk, year: int) -> dict[str, Any]:
    """The Art. 41 annual report's lines; each ``figure`` opens with ``matters``
    (``period`` = the year, ``unit`` = the line's unit)."""
    if not 2000 <= year <= 2099:
        raise StatisticsInvalid("年份须在2000至2099之间")
    unit = _unit(request, pk)
    report = annual_report(unit, year)
    return {
        "unit": unit.pk,
        "year": year,
        "counted_at": report.counted_at,
        "as_of": report.as_of,
        "lines": [
            {
                "section": title,
                "label": line.label,
                "value": line.value,
                "figure": line.figure,
                "unit": (line.unit or unit).pk,
            }
            for title, line in report_lines(report)
        ],
    }


class RankingFilter(QuerySchema):
    level: str = Field(..., max_length=20, description="排名层级，如 township")
    month: Day = Field(..., description="月份内任一日期")
    w_timely: int = Field(1, ge=0, le=100)
    w_completion: int = Field(1, ge=0, le=100)
    w_satisfaction: int = Field(1, ge=0, le=100)
    min_sample: int = Field(DEFAULT_MIN_SAMPLE, ge=1, le=10_000)
    offset: Offset = 0
    limit: Limit = 50


class RankedOut(Schema):
    unit: int
    name: str
    received: int
    rates: dict[str, list[int]]
    sample: int
    score: float | None
    rank: int | None
    rank_change: int | None
    score_change: float | None


class RankingOut(Schema):
    count: int = Field(description="列出的单位数（含不排名的）")
    ranked: int = Field(description="排名的单位数")
    offset: int
    limit: int
    counted_at: datetime | None = Field(description="月度汇总的统计时间")
    items: list[RankedOut]


@router.get(
    "/units/{pk}/ranking",
    response={200: RankingOut, **errors(404)},
    url_name="statistics_ranking",
)
def unit_ranking(request: HttpRequest, pk: PathPk, filters: Query[RankingFilter]) -> HttpResponse:
    """A page of the month's ranking of the unit's units of ``level`` (from the monthly
    aggregates): ranked units by score, then the unranked; ``count`` units in all."""
    unit = _unit(request, pk)
    weights = Weights(filters.w_timely, filters.w_completion, filters.w_satisfaction)
    page = ranking_page(
        unit,
        filters.level,
        month_start(filters.month),
        weights,
        filters.min_sample,
        offset=filters.offset,
        limit=filters.limit,
    )
    body = {
        "count": page.count,
        "ranked": page.ranked,
        "offset": page.offset,
        "limit": page.limit,
        "counted_at": page.counted_at.isoformat() if page.counted_at else None,
        "items": [{**row.public_row(), "unit": row.unit_id, "name": row.name} for row in page.rows],
    }
    # Plain numbers, built to the schema above: written as JSON directly.
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
