"""Pages of the trips app: requests, their check and approval, rules, plans, statistics."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core import audit
from xinfang.core.errors import XinfangError
from xinfang.core.models import AuditAction
from xinfang.core.querysets import get_object_for_user
from xinfang.ledgers.xlsx import XLSX_MIME, write_xlsx
from xinfang.org.access import can, roles_for
from xinfang.org.guards import require_roles
from xinfang.trips import services, statistics
from xinfang.trips.choices import TripStatus
from xinfang.trips.forms import (
    STEP_FORMS,
    ExceptionForm,
    MemberFormSet,
    PlanForm,
    RuleForm,
    TripForm,
    member_inputs,
    units_for,
)
from xinfang.trips.models import TripMember, TripPlan, TripRequest
from xinfang.trips.rules import DEFAULT_RULES
from xinfang.trips.workflow import STEPS, allowed_steps, transition

VIEW = tuple(roles_for("view"))
HANDLE = tuple(roles_for("handle"))
LEAD = tuple(roles_for("lead"))


def _trips(request: HttpRequest, action: str = "view") -> Any:
    return TripRequest.objects.restrict(request.user, action).select_related(
        "unit", "approving_unit"
    )


@require_roles(*VIEW)
def trip_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    trips = _trips(request).prefetch_related("members")
    status = request.GET.get("status", "")
    if status in TripStatus.values:
        trips = trips.filter(status=status)
    if request.GET.get("overdue"):
        trips = trips.overdue(today)
    rows = [
        (t, t.report_overdue(today), t.passport_overdue(today)) for t in trips.order_by("-pk")[:200]
    ]
    return render(
        request,
        "trips/trip_list.html",
        {"rows": rows, "status": status, "statuses": TripStatus.choices},
    )


def _member_initial(trip: TripRequest) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "title": m.title, "rank": m.rank, "unit": m.unit_id}
        for m in trip.members.all()
    ]


def _trip_initial(trip: TripRequest) -> dict[str, Any]:
    return {
        "title": trip.title,
        "purpose": trip.purpose,
        "trip_type": trip.trip_type,
        "countries": trip.countries_text,
        "depart_on": trip.depart_on,
        "return_on": trip.return_on,
        "visa_apply_on": trip.visa_apply_on,
        "plan_item": trip.plan_item_id,
    }


@require_roles(*HANDLE)
def trip_create(request: HttpRequest) -> HttpResponse:
    form = TripForm(request.POST or None, user=request.user)
    members = MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            trip = services.create_trip(
                actor=request.user,
                unit=unit,
                data=form.trip_input(),
                members=member_inputs(members, unit),
            )
        except XinfangError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存出访请示草稿，请查看规则检查结果")
            return redirect("trips:trip_detail", pk=trip.pk)
    return render(
        request, "trips/trip_form.html", {"form": form, "members": members, "title": "填报出访请示"}
    )


@require_roles(*HANDLE)
def trip_edit(request: HttpRequest, pk: int) -> HttpResponse:
    trip = get_object_for_user(_trips(request, "handle"), request.user, action="handle", pk=pk)
    if trip.status != TripStatus.DRAFT:
        messages.error(request, "只有草拟中的出访请示可以修改")
        return redirect("trips:trip_detail", pk=trip.pk)
    data = request.POST or None
    form = TripForm(data, user=request.user, fixed_unit=trip.unit, initial=_trip_initial(trip))
    members = MemberFormSet(data, prefix="m", initial=_member_initial(trip))
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            services.update_trip(
                actor=request.user,
                trip=trip,
                data=form.trip_input(),
                members=member_inputs(members, trip.unit),
            )
        except XinfangError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已修改出访请示")
            return redirect("trips:trip_detail", pk=trip.pk)
    return render(
        request,
        "trips/trip_form.html",
        {"form": form, "members": members, "title": f"修改出访请示：{trip.title}", "trip": trip},
    )


@require_roles(*VIEW)
def trip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trip = get_object_for_user(
        _trips(request).prefetch_related(
            Prefetch("members", queryset=TripMember.objects.select_related("unit")),
            "exceptions__granted_by",
            "timeline",
        ),
        request.user,
        pk=pk,
    )
    today = timezone.localdate()
    exceptions = {e.code: e for e in trip.exceptions.all()}
    if trip.status in {TripStatus.DRAFT, TripStatus.SUBMITTED}:
        found = services.violations_of(trip, trip.filed_on or today)
        violations = [{**v.__dict__, "exception": exceptions.get(v.code)} for v in found]
    else:
        violations = [{**v, "exception": exceptions.get(v["code"])} for v in trip.violations]
    steps = [
        (s, STEP_FORMS[s.name]() if s.name in STEP_FORMS else None)
        for s in allowed_steps(trip, request.user)
    ]
    may_except = trip.status in {TripStatus.DRAFT, TripStatus.SUBMITTED} and can(
        request.user, "lead", trip.approving_unit.path
    )
    open_codes = [v for v in violations if v["exception"] is None]
    return render(
        request,
        "trips/trip_detail.html",
        {
            "trip": trip,
            "violations": violations,
            "open_violations": open_codes,
            "steps": steps,
            "may_except": may_except,
            "may_edit": trip.status == TripStatus.DRAFT
            and can(request.user, "handle", trip.unit.path),
            "exception_form": ExceptionForm(),
            "report_overdue": trip.report_overdue(today),
            "passport_overdue": trip.passport_overdue(today),
        },
    )


@require_POST
@require_roles(*HANDLE)
def trip_transition(request: HttpRequest, pk: int) -> HttpResponse:
    trip = get_object_for_user(_trips(request), request.user, pk=pk)
    name = request.POST.get("step", "")
    step = STEPS.get(name)
    data: dict[str, Any] = {}
    if step is not None and name in STEP_FORMS:
        form = STEP_FORMS[name](request.POST)
        if not form.is_valid():
            messages.error(
                request,
                "请填写完整："
                + ";".join(f"{form.fields[k].label}{e[0]}" for k, e in form.errors.items()),
            )
            return redirect("trips:trip_detail", pk=trip.pk)
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    try:
        transition(trip, name, actor=request.user, reason=request.POST.get("reason", ""), data=data)
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{step.label if step else name}")
    return redirect("trips:trip_detail", pk=trip.pk)


@require_POST
@require_roles(*LEAD)
def trip_exception(request: HttpRequest, pk: int) -> HttpResponse:
    trip = get_object_for_user(_trips(request), request.user, pk=pk)
    form = ExceptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择规则并写明同意例外的理由")
        return redirect("trips:trip_detail", pk=trip.pk)
    try:
        services.grant_exception(actor=request.user, trip=trip, **form.cleaned_data)
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已记录审批层级同意的例外及理由")
    return redirect("trips:trip_detail", pk=trip.pk)


@require_roles(*VIEW)
def rule_list(request: HttpRequest) -> HttpResponse:
    """The rules that apply to a unit's requests, where each comes from, and (for its
    leaders) the form to adjust one for the subtree."""
    choices = units_for(request.user, "view")
    unit_id = request.GET.get("unit", "")
    unit = choices.filter(pk=unit_id).first() if unit_id.isdigit() else None
    unit = unit or units_for(request.user, "lead").first() or choices.first()
    rules = services.effective_rules(unit) if unit is not None else dict(DEFAULT_RULES)
    return render(
        request,
        "trips/rule_list.html",
        {
            "unit": unit,
            "units": choices,
            "rules": list(rules.values()),
            "form": RuleForm(user=request.user, initial={"unit": unit.pk if unit else None}),
            "may_set": unit is not None and can(request.user, "lead", unit.path),
        },
    )


@require_POST
@require_roles(*LEAD)
def rule_update(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "请完整填写规则设定")
        return redirect("trips:rule_list")
    try:
        rule = services.set_rule(actor=request.user, **form.cleaned_data)
    except XinfangError as exc:
        messages.error(request, str(exc))
        return redirect("trips:rule_list")
    messages.success(request, f"已调整“{DEFAULT_RULES[rule.code].label}”")
    return redirect(f"{reverse('trips:rule_list')}?unit={rule.unit_id}")


@require_roles(*VIEW)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = (
        TripPlan.objects.restrict(request.user, "view")
        .select_related("unit")
        .prefetch_related("items")
    )
    return render(request, "trips/plan_list.html", {"plans": plans[:200]})


@require_roles(*HANDLE)
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_plan(actor=request.user, today=timezone.localdate(), **form.cleaned_data)
        except XinfangError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已报送年度出访计划")
            return redirect("trips:plan_list")
    return render(request, "trips/form.html", {"form": form, "title": "报送年度出访计划"})


def _stat_rows(request: HttpRequest) -> list[statistics.UnitYear]:
    trips = _trips(request).prefetch_related("members", "exceptions")
    year = request.GET.get("year", "")
    if year.isdigit():
        trips = trips.filter(depart_on__year=int(year))
    return statistics.statistics(trips, timezone.localdate())


@require_roles(*VIEW)
def trip_statistics(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "trips/statistics.html",
        {
            "rows": _stat_rows(request),
            "columns": statistics.COLUMNS,
            "year": request.GET.get("year", ""),
            "qs": request.GET.urlencode(),
        },
    )


@require_roles(*VIEW)
def trip_statistics_export(request: HttpRequest) -> HttpResponse:
    rows = statistics.xlsx_rows(_stat_rows(request))
    body = write_xlsx("出访统计", statistics.COLUMNS, rows)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="trips.statistics",
        detail={"query": request.GET.urlencode(), "rows": len(rows)},
    )
    response = HttpResponse(body, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('出访统计.xlsx')}"
    return response
