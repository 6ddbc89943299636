"""Statistics pages (mounted at ``/statistics/``).

Staff pages take a unit (``get_object_for_user(Unit.objects, …, action="view")``: a unit
outside the user's subtrees is a 404) and a period. Drill-down lists start from
``Petition.objects.restrict(user)``, so a list never shows a matter its reader may not
see (an accusation never reaches its accused). Public pages show units and counts only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.querysets import get_object_for_user
from xinfang.org.access import can, granted_paths, roles_for
from xinfang.org.choices import UnitLevel
from xinfang.org.guards import require_roles
from xinfang.org.models import Unit
from xinfang.petitions.measures import MeasureWindow, level_rank
from xinfang.petitions.models import Petition
from xinfang.statistics import services
from xinfang.statistics.aggregates import counted_at, rollup_month
from xinfang.statistics.errors import StatisticsInvalid
from xinfang.statistics.figures import figure_label, figure_matters, subtree_matters
from xinfang.statistics.forms import PublishForm, RankingForm
from xinfang.statistics.models import RankingPublication
from xinfang.statistics.periods import Period, month_start, parse_period, previous_month
from xinfang.statistics.ranking import (
    RATES,
    Weights,
    default_level,
    ranking_levels,
    ranking_page,
)
from xinfang.statistics.recurring import recurring_problems
from xinfang.statistics.report import annual_report, report_pdf, report_xlsx
from xinfang.statistics.summary import Statistics, subtree_statistics, trend

__all__ = ["home_unit", "statistics_rows"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIEW_ROLES = tuple(sorted(str(r) for r in roles_for("view")))
PAGE_SIZE = 50
# The levels a public page speaks for (Art. 18): the county and its townships.
PUBLIC_LEVELS = (UnitLevel.COUNTY,)


def _unit(request: HttpRequest, pk: int) -> Unit:
    return get_object_for_user(Unit.objects.all(), request.user, action="view", pk=pk)


def _lead_unit(request: HttpRequest, pk: int) -> Unit:
    """A unit the user leads (the services check the same: publishing speaks for it)."""
    unit = _unit(request, pk)
    if not can(request.user, "lead", unit.path):
        raise Http404
    return unit


def _today() -> date:
    return timezone.localdate()


def _period(request: HttpRequest) -> Period:
    try:
        return parse_period(request.GET.get("period"), today=_today())
    except StatisticsInvalid as exc:
        messages.error(request, str(exc))
        return Period.month(_today())


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def home_unit(user: Any) -> Unit | None:
    """The highest unit the user may view statistics of."""
    paths = granted_paths(user, "view")
    return Unit.objects.filter(path=min(paths, key=len)).first() if paths else None


@require_roles(*VIEW_ROLES)
def statistics_home(request: HttpRequest) -> HttpResponse:
    """The statistics of the highest unit the user views."""
    unit = home_unit(request.user)
    if unit is None:
        raise Http404
    return redirect("statistics:statistics_overview", pk=unit.pk)


def _chart_data(stats: Statistics, points: Iterable[Any]) -> dict[str, Any]:
    rows = [r for r in stats.rows if not r.own]
    return {
        "units": [r.label for r in rows],
        "received": [r.count("received") for r in rows],
        "rates": {
            key: [r.rates[key].percent for r in rows]
            for key in ("timely", "completion", "satisfaction")
        },
        "rate_names": RATES,
        "months": [p.label for p in points],
        "trend_received": [p.figures.received for p in points],
        "trend_rates": {
            "timely": [p.figures.measures.timely_acceptance.percent for p in points],
            "completion": [p.figures.measures.on_time_completion.percent for p in points],
            "satisfaction": [p.figures.measures.satisfaction.percent for p in points],
        },
    }


@require_roles(*VIEW_ROLES)
def statistics_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's subtree over a period, its child units side by side, with charts."""
    unit = _unit(request, pk)
    period = _period(request)
    stats = subtree_statistics(unit, period, today=_today())
    points = trend(unit, period.end)
    return render(
        request,
        "statistics/overview.html",
        {
            "unit": unit,
            "ancestors": _visible_ancestors(request.user, unit),
            "period": period,
            "stats": stats,
            "trend": points,
            "chart": _chart_data(stats, points),
            "counted_at": counted_at(period.end),
            "year": period.end.year,
        },
    )


def _visible_ancestors(user: Any, unit: Unit) -> list[Unit]:
    ids = unit.ancestor_ids()
    return list(Unit.objects.restrict(user, "view").filter(pk__in=ids).order_by("depth"))


def statistics_rows(stats: Statistics) -> tuple[list[str], list[list[Any]]]:
    """The table of the overview page as an xlsx sheet's header and rows."""
    headers = ["单位", "收到事项"]
    headers += [label for _, label in stats.channels]
    headers += [label for _, label in stats.kinds]
    headers += ["及时受理率%", "应计受理", "按期办结率%", "应计办理", "满意率%", "参评"]
    headers += ["积案", "5年以上", "10年以上", "重复", "越级", "督办（通知）", "期限待定"]
    rows = []
    for r in [*stats.rows, stats.total]:
        m = r.figures.measures
        rows.append(
            [
                r.label,
                r.count("received"),
                *(r.count(f"channel:{v}") for v, _ in stats.channels),
                *(r.count(f"kind:{v}") for v, _ in stats.kinds),
                m.timely_acceptance.percent,
                m.timely_acceptance.denominator,
                m.on_time_completion.percent,
                m.on_time_completion.denominator,
                m.satisfaction.percent,
                m.satisfaction.denominator,
                m.backlog.total,
                m.backlog.over_5y,
                m.backlog.over_10y,
                m.repeat,
                r.escalated,
                r.count("supervision.notice"),
                r.count("pending_dues"),
            ]
        )
    return headers, rows


@require_roles(*VIEW_ROLES)
def statistics_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The overview's table as xlsx."""
    from xinfang.ledgers.xlsx import write_xlsx

    unit = _unit(request, pk)
    period = _period(request)
    headers, rows = statistics_rows(subtree_statistics(unit, period, today=_today()))
    data = write_xlsx(period.label, headers, rows)
    return _download(data, XLSX, f"{unit.name}{period.label}信访统计.xlsx")


@require_roles(*VIEW_ROLES)
def figure_list(request: HttpRequest, pk: int, figure: str) -> HttpResponse:
    """The matters behind one figure (those the reader may see)."""
    unit = _unit(request, pk)
    period = _period(request)
    w = _window(period)
    try:
        matters = figure_matters(
            Petition.objects.restrict(request.user, "view") & subtree_matters(unit),
            figure,
            w,
            rank=level_rank(unit),
        )
    except StatisticsInvalid as exc:
        raise Http404 from exc
    matters = matters.select_related("responsible_unit", "matter_type__parent").order_by(
        "-received_on", "-pk"
    )
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "statistics/figure_list.html",
        {
            "unit": unit,
            "period": period,
            "figure": figure,
            "label": figure_label(figure),
            "page_obj": page,
            "qs": urlencode({"period": period.value}),
        },
    )


def _window(period: Period) -> MeasureWindow:

    return MeasureWindow.of(period.start, period.end, today=_today())


def _ranking_form(
    request: HttpRequest, unit: Unit, data: Any, form_class: type[RankingForm] = RankingForm
) -> RankingForm:
    levels = ranking_levels(unit)
    default = default_level(unit, levels)
    initial = {
        "level": default,
        "month": f"{previous_month(_today()):%Y-%m}",
        "w_timely": 1,
        "w_completion": 1,
        "w_satisfaction": 1,
        "min_sample": 5,
    }
    merged = {**initial, **{k: v for k, v in data.items() if v not in ("", None)}}
    return form_class(merged, levels=levels)


RANKING_PAGE_SIZE = 50


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _with_page(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return query.urlencode()


@require_roles(*VIEW_ROLES)
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """The monthly ranking of the units of one level under ``pk``, from the aggregates."""
    unit = _unit(request, pk)
    form = _ranking_form(request, unit, request.GET)
    result = None
    pages: dict[str, Any] = {}
    if form.is_valid():
        number = _page_number(request.GET.get("page"))
        result = ranking_page(
            unit,
            form.cleaned_data["level"],
            form.cleaned_data["month"],
            form.weights(),
            form.cleaned_data["min_sample"],
            offset=(number - 1) * RANKING_PAGE_SIZE,
            limit=RANKING_PAGE_SIZE,
        )
        last = max(1, -(-result.count // RANKING_PAGE_SIZE))
        if number > last:  # past the end: the last page
            return redirect(f"{request.path}?{_with_page(request, last)}")
        pages = {
            "number": number,
            "last": last,
            "previous": _with_page(request, number - 1) if number > 1 else "",
            "next": _with_page(request, number + 1) if number < last else "",
            "first_row": result.offset + 1,
            "last_row": result.offset + len(result.rows),
        }
    month = form.cleaned_data.get("month") if form.is_valid() else None
    return render(
        request,
        "statistics/ranking.html",
        {
            "unit": unit,
            "form": form,
            "ranking": result,
            "pages": pages,
            "rates": RATES,
            "has_levels": bool(form.levels),
            "period": Period.month(month) if month else None,
            "counted_at": result.counted_at if result else None,
            "year": month.year if month else _today().year,
            "publications": RankingPublication.objects.restrict(request.user, "view")
            .filter(root=unit)
            .order_by("-published_at")[:10],
        },
    )


@require_POST
@require_roles(*VIEW_ROLES)
def ranking_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the ranking as shown (the unit's leaders: the service checks "lead")."""
    unit = _lead_unit(request, pk)
    form = _ranking_form(request, unit, request.POST, PublishForm)
    if not form.is_valid():
        messages.error(request, "排名设置不正确，未发布")
        return redirect("statistics:ranking", pk=unit.pk)
    publication = services.publish_ranking(
        actor=request.user,
        root=unit,
        level=form.cleaned_data["level"],
        month=form.cleaned_data["month"],
        weights=form.weights(),
        min_sample=form.cleaned_data["min_sample"],
        public=form.cleaned_data.get("public", False),
    )
    messages.success(request, "排名已发布")
    return redirect("statistics:ranking_publication", pk=publication.pk)


@require_POST
@require_roles(*VIEW_ROLES)
def statistics_recount(request: HttpRequest, pk: int) -> HttpResponse:
    """Recount a month's aggregates now (the unit's leaders)."""
    unit = _lead_unit(request, pk)
    try:
        period = parse_period(request.POST.get("month"), today=_today())
    except StatisticsInvalid as exc:
        raise Http404 from exc
    services.recount_month(actor=request.user, root=unit, month=period.start)
    messages.success(request, f"{period.label}统计已重新计算")
    return redirect(f"{reverse('statistics:ranking', args=[unit.pk])}?month={period.start:%Y-%m}")


@require_roles(*VIEW_ROLES)
def ranking_publication(request: HttpRequest, pk: int) -> HttpResponse:
    """A published ranking, as it was published."""
    publication = get_object_for_user(
        RankingPublication.objects.select_related("root", "published_by"),
        request.user,
        action="view",
        pk=pk,
    )
    return render(
        request,
        "statistics/publication.html",
        {"publication": publication, "rates": RATES, "public": False},
    )


@require_roles(*VIEW_ROLES)
def recurring_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Recurring problems of the subtree: matter type × place per month (aggregates)."""
    unit = _unit(request, pk)
    # Complete months only: a trend that ends on a half month always reads "falling".
    months, problems = recurring_problems(unit, previous_month(_today()))
    return render(
        request,
        "statistics/recurring.html",
        {
            "unit": unit,
            "months": months,
            "problems": problems,
            "topics": problems[:5],
            "year": _today().year,
        },
    )


@require_roles(*VIEW_ROLES)
def annual_report_page(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The Art. 41 annual report on screen, every figure linked to its matters."""
    unit = _unit(request, pk)
    _check_year(year)
    report = annual_report(unit, year, today=_today())
    return render(request, "statistics/annual_report.html", {"unit": unit, "report": report})


def _check_year(year: int) -> None:
    if not 2000 <= year <= _today().year:
        raise Http404


@require_roles(*VIEW_ROLES)
def annual_report_download(request: HttpRequest, pk: int, year: int, fmt: str) -> HttpResponse:
    """The annual report as PDF (official layout) or xlsx."""
    unit = _unit(request, pk)
    _check_year(year)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    report = annual_report(unit, year, today=_today())
    name = f"{unit.name}{year}年信访工作年度报告.{fmt}"
    if fmt == "pdf":
        return _download(report_pdf(report, today=_today()), "application/pdf", name)
    return _download(report_xlsx(report), XLSX, name)


# Public pages (条例 Art. 18: openness of the handling of petitions). Units and counts only.


def public_index(request: HttpRequest) -> HttpResponse:
    """The counties with public statistics, and the rankings published to the public."""
    counties = Unit.objects.filter(level__in=PUBLIC_LEVELS, is_active=True).order_by("path")
    published = RankingPublication.objects.public().select_related("root")[:20]
    return render(
        request, "statistics/public_index.html", {"counties": counties, "published": published}
    )


def public_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    """Monthly volume and the three rates of a county and its townships, last 12 months."""
    county = get_object_or_404(Unit, pk=pk, level__in=PUBLIC_LEVELS, is_active=True)
    townships = list(
        county.children.filter(level=UnitLevel.TOWNSHIP, is_active=True).order_by("path")
    )
    month = previous_month(_today())
    points = trend(county, month)
    this = rollup_month(county, townships, month)
    rows = [(t, this[t.pk]) for t in townships]
    return render(
        request,
        "statistics/public_statistics.html",
        {
            "county": county,
            "month": Period.month(month),
            "trend": points,
            "rows": rows,
            "rates": RATES,
        },
    )


def public_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """A ranking its leaders published to the public."""
    publication = get_object_or_404(
        RankingPublication.objects.public().select_related("root"), pk=pk
    )
    return render(
        request,
        "statistics/publication.html",
        {"publication": publication, "rates": RATES, "public": True},
    )


__all__ = ["Weights", "home_unit", "month_start", "statistics_rows"]
