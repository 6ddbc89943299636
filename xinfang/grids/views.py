"""Grid pages: the community map and tiling report, patrols, the daily log, the notice board.

Each view carries its check (``require_roles`` over the roles of an action name, from
``org.access``); objects are fetched within the user's scope (404 alike for missing and
forbidden). The notice board is public: it shows office contacts and duties only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from shapely.geometry import mapping

from xinfang.core.errors import XinfangError
from xinfang.core.forms import form_problems
from xinfang.core.querysets import get_object_for_user
from xinfang.grids import services
from xinfang.grids.assignment import read_addresses
from xinfang.grids.board import board_context, board_svg
from xinfang.grids.choices import OPEN_LOG_STATUSES, BoundaryRole, MeetingOutcome
from xinfang.grids.errors import GridsError
from xinfang.grids.forms import (
    AddressImportForm,
    BoundaryImportForm,
    DailyMeetingForm,
    GridDrawForm,
    HandOnForm,
    LogItemForm,
    MeetingForm,
    PairForm,
    PatrolForm,
    RaiseForm,
    ResolveForm,
    ToDisputeForm,
    ToPetitionForm,
)
from xinfang.grids.geometry import check_tiling, parse_tiling
from xinfang.grids.models import Boundary, DailyMeeting, LogItem, Patrol, WeeklyReview
from xinfang.grids.staffing import staffing_of
from xinfang.grids.workflow import STEPS, WORKFLOW
from xinfang.org.access import roles_for
from xinfang.org.choices import UnitLevel
from xinfang.org.guards import require_roles
from xinfang.org.models import Unit

GRID_ROLES = tuple(sorted(roles_for("grid")))
STAFF_ROLES = tuple(sorted(roles_for("view")))


def _communities(request: HttpRequest) -> Any:
    return Unit.objects.restrict(request.user, "grid").filter(
        level=UnitLevel.VILLAGE, is_active=True
    )


def _community(request: HttpRequest, pk: int) -> Unit:
    return get_object_for_user(
        Unit.objects.filter(level=UnitLevel.VILLAGE), request.user, action="grid", pk=pk
    )


@require_roles(*GRID_ROLES)
def community_list(request: HttpRequest) -> HttpResponse:
    communities = _communities(request).select_related("parent").order_by("path")
    with_boundary = set(
        Boundary.objects.filter(unit__in=communities).values_list("unit_id", flat=True)
    )
    rows = [(c, c.pk in with_boundary) for c in communities[:500]]
    streets = Unit.objects.restrict(request.user, "grid").filter(
        level=UnitLevel.TOWNSHIP, is_active=True
    )
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    reviewed = set(
        WeeklyReview.objects.filter(street__in=streets, week_start=monday).values_list(
            "street_id", flat=True
        )
    )
    return render(
        request,
        "grids/community_list.html",
        {
            "rows": rows,
            "streets": [(s, s.pk in reviewed) for s in streets],
            "review_form": MeetingForm(),
        },
    )


@require_POST
@require_roles(*GRID_ROLES)
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The street's weekly review of its grids (街道每周讲评)."""
    street = get_object_for_user(
        Unit.objects.filter(level=UnitLevel.TOWNSHIP), request.user, action="grid", pk=pk
    )
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.record_review(
                actor=request.user, street=street, notes=form.cleaned_data["notes"]
            )
        except XinfangError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记{street.name}本周网格讲评")
    return redirect("grids:community_list")


@require_roles(*GRID_ROLES)
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = _community(request, pk)
    tiling = services.tiling_of(community)
    report = check_tiling(tiling) if tiling is not None else None
    open_items = (
        LogItem.objects.open()
        .filter(grid__parent=community)
        .select_related("grid", "handed_to")
        .order_by("deadline", "-day")[:100]
    )
    today = timezone.localdate()
    return render(
        request,
        "grids/community_detail.html",
        {
            "community": community,
            "report": report,
            "staffing": staffing_of(community),
            "open_items": open_items,
            "import_form": BoundaryImportForm(),
            "draw_form": GridDrawForm(community=community, auto_id="draw_%s"),
            "address_form": AddressImportForm(),
            "pair_form": PairForm(community=community),
            "meeting_today": DailyMeeting.objects.filter(community=community, day=today).first(),
            "tiles_url": settings.MAP_TILES_URL,
        },
    )


@require_roles(*GRID_ROLES)
def community_geojson(request: HttpRequest, pk: int) -> JsonResponse:
    """The map's data: the community, its grids (staff, households, open items) and faults."""
    community = _community(request, pk)
    tiling = services.tiling_of(community)
    if tiling is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    codes = dict(
        Boundary.objects.filter(unit__parent=community, role=BoundaryRole.GRID).values_list(
            "unit_id", "code"
        )
    )
    staffing = {codes[gs.grid.pk]: gs for gs in staffing_of(community).grids if gs.grid.pk in codes}
    open_counts: dict[int, int] = {}
    for grid_id in LogItem.objects.filter(
        grid__parent=community, status__in=OPEN_LOG_STATUSES
    ).values_list("grid_id", flat=True):
        open_counts[grid_id] = open_counts.get(grid_id, 0) + 1
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"role": "community", "name": community.name},
            "geometry": mapping(tiling.community.geometry),
        }
    ]
    for polygon in tiling.grids:
        gs = staffing.get(polygon.code)
        props: dict[str, Any] = {"role": "grid", "code": polygon.code, "name": polygon.name}
        if gs is not None:
            props |= {
                "heads": [u.full_name or u.username for u in gs.heads],
                "workers": [u.full_name or u.username for u in gs.workers],
                "households": gs.households,
                "open_items": open_counts.get(gs.grid.pk, 0),
            }
        features.append(
            {"type": "Feature", "properties": props, "geometry": mapping(polygon.geometry)}
        )
    for fault in check_tiling(tiling).faults:
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "role": fault.kind,
                    "codes": list(fault.codes),
                    "area_m2": round(fault.area_m2, 2),
                    "label": fault.line(),
                },
                "geometry": mapping(fault.geometry),
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@require_POST
@require_roles(*GRID_ROLES)
def boundary_import(request: HttpRequest, pk: int) -> HttpResponse:
    community = _community(request, pk)
    form = BoundaryImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择边界文件")
        return redirect("grids:community_detail", pk=community.pk)
    try:
        tiling = parse_tiling(form.text())
        report = services.import_tiling(actor=request.user, community=community, tiling=tiling)
    except UnicodeDecodeError:
        messages.error(request, "边界文件须为 UTF-8 编码的 GeoJSON")
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        if report.ok:
            messages.success(request, f"已导入 {len(tiling.grids)} 个网格：无重叠、无空白、无越界")
        else:
            messages.warning(
                request, f"已导入 {len(tiling.grids)} 个网格，有 {len(report.faults)} 处问题需修正"
            )
    return redirect("grids:community_detail", pk=community.pk)


@require_POST
@require_roles(*GRID_ROLES)
def grid_draw(request: HttpRequest, pk: int) -> HttpResponse:
    """A new grid polygon drawn on the community map, saved through the tiling check."""
    community = _community(request, pk)
    form = GridDrawForm(request.POST, community=community)
    if not form.is_valid():
        messages.error(
            request,
            form_problems(form),
        )
        return redirect("grids:community_detail", pk=community.pk)
    d = form.cleaned_data
    try:
        report = services.draw_grid(
            actor=request.user,
            community=community,
            code=d["code"],
            name=d["name"],
            grid=d["grid"],
            geometry=d["geometry"],
        )
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        if report.ok:
            messages.success(request, f"已保存网格 {d['code']}：无重叠、无空白、无越界")
        else:
            messages.warning(
                request, f"已保存网格 {d['code']}，有 {len(report.faults)} 处问题需修正"
            )
    return redirect("grids:community_detail", pk=community.pk)


@require_POST
@require_roles(*GRID_ROLES)
def address_import(request: HttpRequest, pk: int) -> HttpResponse:
    community = _community(request, pk)
    form = AddressImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择地址文件")
        return redirect("grids:community_detail", pk=community.pk)
    upload = form.cleaned_data["file"]
    try:
        rows = read_addresses(upload.name, upload)
        services.import_addresses(actor=request.user, community=community, rows=rows)
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已导入 {len(rows)} 个地址")
    return redirect("grids:community_detail", pk=community.pk)


@require_POST
@require_roles(*GRID_ROLES)
def pair_create(request: HttpRequest, pk: int) -> HttpResponse:
    community = _community(request, pk)
    form = PairForm(request.POST, community=community)
    if not form.is_valid():
        messages.error(request, "请选择网格和两名网格员")
        return redirect("grids:community_detail", pk=community.pk)
    d = form.cleaned_data
    try:
        services.pair_workers(actor=request.user, grid=d["grid"], a=d["a"], b=d["b"])
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已将 {d['a']} 与 {d['b']} 结成{d['grid'].name}AB岗")
    return redirect("grids:community_detail", pk=community.pk)


@require_roles(*GRID_ROLES)
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The community's daily meeting (当日清): a disposition for every open item, in one form."""
    community = _community(request, pk)
    today = timezone.localdate()
    held = (
        DailyMeeting.objects.filter(community=community, day=today)
        .prefetch_related("items__item__grid", "items__unit")
        .first()
    )
    agenda = services.meeting_agenda(community, today)
    form = DailyMeetingForm(request.POST or None, items=agenda.to_dispose)
    if request.method == "POST" and held is None:
        if form.is_valid():
            try:
                meeting = services.hold_meeting(
                    actor=request.user,
                    community=community,
                    dispositions=form.dispositions(),
                    notes=form.cleaned_data["notes"],
                )
            except XinfangError as exc:
                messages.error(request, str(exc))
            else:
                closed = sum(1 for r in meeting.items.all() if r.outcome != MeetingOutcome.CARRIED)
                messages.success(request, f"已登记今天的当日清会议，会上处理事项 {closed} 件")
                return redirect("grids:meeting_record", pk=community.pk)
        else:
            messages.error(
                request,
                form_problems(form),
            )
    return render(
        request,
        "grids/meeting.html",
        {
            "community": community,
            "today": today,
            "held": held,
            "form": form,
            "carried": agenda.carried,
        },
    )


@require_roles(*GRID_ROLES)
def patrol_create(request: HttpRequest) -> HttpResponse:
    form = PatrolForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_patrol(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记巡查")
            return redirect("grids:patrol_create")
    recent = Patrol.objects.restrict(request.user, "grid").filter(worker=request.user)
    return render(
        request,
        "grids/patrol_form.html",
        {
            "form": form,
            "recent": recent.select_related("grid")[:20],
            "measure": services.patrol_measure(request.user, timezone.localdate()),
        },
    )


@require_roles(*STAFF_ROLES)
def log_item_list(request: HttpRequest) -> HttpResponse:
    items: Any = LogItem.objects.restrict(request.user, "view")
    if request.GET.get("open"):
        items = items.open()
    items = items.select_related("grid", "handed_to")
    return render(request, "grids/log_item_list.html", {"items": items[:200]})


@require_roles(*GRID_ROLES)
def log_item_create(request: HttpRequest) -> HttpResponse:
    form = LogItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.record_log_item(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已记入民情日志")
            return redirect("grids:log_item_detail", pk=item.pk)
    return render(request, "grids/form.html", {"form": form, "title": "记民情日志"})


def _item(request: HttpRequest, pk: int) -> LogItem:
    return get_object_for_user(
        LogItem.objects.select_related("grid", "grid__parent", "handed_to", "petition", "dispute"),
        request.user,
        action="view",
        pk=pk,
    )


@require_roles(*STAFF_ROLES)
def log_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    may = {
        name: WORKFLOW.may(request.user, item, step) and item.status in step.sources
        for name, step in STEPS.items()
    }
    return render(
        request,
        "grids/log_item_detail.html",
        {
            "item": item,
            "may": may,
            "hand_form": HandOnForm(prefix="hand"),
            "raise_form": RaiseForm(prefix="raise"),
            "resolve_form": ResolveForm(prefix="resolve"),
            "petition_form": ToPetitionForm(prefix="petition", user=request.user),
            "dispute_form": ToDisputeForm(prefix="dispute", user=request.user),
            "history": item.transitions.select_related("actor").order_by("pk"),
        },
    )


def _take_step(request: HttpRequest, item: LogItem, step: str) -> str:
    """Run the step the posted form names; returns the success message."""
    user = request.user
    if step == "hand_on":
        form: Any = HandOnForm(request.POST, prefix="hand")
        if form.is_valid():
            d = form.cleaned_data
            services.hand_on_item(
                actor=user, item=item, unit=d["unit"], deadline=d["deadline"], reason=d["reason"]
            )
            return f"已转交{d['unit'].name}"
    elif step == "raise":
        form = RaiseForm(request.POST, prefix="raise")
        if form.is_valid():
            d = form.cleaned_data
            services.raise_item(actor=user, item=item, deadline=d["deadline"], reason=d["reason"])
            return "已上报街道协调"
    elif step == "resolve":
        form = ResolveForm(request.POST, prefix="resolve")
        if form.is_valid():
            d = form.cleaned_data
            services.resolve_item(actor=user, item=item, result=d["result"], returned=d["returned"])
            return "已登记办理结果"
    elif step == "to_petition":
        form = ToPetitionForm(request.POST, prefix="petition", user=user)
        if form.is_valid():
            petition = services.item_to_petition(actor=user, item=item, **form.cleaned_data)
            return f"已转为信访事项 {petition.number or petition.pk}"
    elif step == "to_dispute":
        form = ToDisputeForm(request.POST, prefix="dispute", user=user)
        if form.is_valid():
            dispute = services.item_to_dispute(actor=user, item=item, **form.cleaned_data)
            return f"已转为矛盾纠纷 {dispute.number}"
    else:
        raise GridsError("未知的操作")
    raise GridsError(form_problems(form))


@require_POST
@require_roles(*STAFF_ROLES)
def log_item_transition(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        messages.success(request, _take_step(request, item, request.POST.get("step", "")))
    except XinfangError as exc:
        messages.error(request, str(exc))
    return redirect("grids:log_item_detail", pk=item.pk)


def areas_geojson(request: HttpRequest) -> JsonResponse:
    """Every community and grid outline with its name: public, like the notice boards, so
    the location picker of the portal can draw them."""
    features = [
        {
            "type": "Feature",
            "properties": {"role": b.role, "name": b.unit.name, "code": b.code},
            "geometry": b.geometry,
        }
        for b in Boundary.objects.filter(unit__is_active=True).select_related("unit")[:5000]
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def notice_board(request: HttpRequest, pk: int) -> HttpResponse:
    """The public notice board (公示牌) of a grid: map, staff, office phones, duties."""
    grid = get_object_or_404(Unit, pk=pk, level=UnitLevel.GRID, is_active=True)
    return render(
        request, "grids/notice_board.html", board_context(grid) | {"svg": board_svg(grid)}
    )


def notice_board_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from xinfang.documents.pdf import render_pdf

    grid = get_object_or_404(Unit, pk=pk, level=UnitLevel.GRID, is_active=True)
    context = board_context(grid) | {"svg": board_svg(grid), "printing": True}
    pdf = render_pdf("grids/notice_board_print.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="grid-{grid.pk}.pdf"'
    return response
