"""Screening rounds and the dispute ledger."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import XinfangError
from xinfang.core.querysets import get_object_for_user
from xinfang.ledgers import services
from xinfang.ledgers.choices import DisputeDomain, DisputeStatus, RiskLevel, RoundKind
from xinfang.ledgers.errors import ImportRejected
from xinfang.ledgers.forms import (
    DisputeForm,
    DisputeImportForm,
    LookbackForm,
    RoundFileForm,
    ScreeningRuleForm,
    TransitionForm,
)
from xinfang.ledgers.models import Dispute, ScreeningRound
from xinfang.ledgers.views._common import (
    CHECK_ROLES,
    LEAD_ROLES,
    STAFF_ROLES,
    WRITE_ROLES,
    flash_error,
    paginate,
    parse_date,
    query_string,
    visible_units,
    xlsx_response,
)
from xinfang.ledgers.workflow import allowed_steps, transition
from xinfang.ledgers.xlsx import DISPUTE_EXPORT_COLUMNS, DISPUTE_IMPORT_COLUMNS, dispute_rows
from xinfang.org.guards import require_roles


@require_roles(*STAFF_ROLES)
def round_list(request: HttpRequest) -> HttpResponse:
    """Screening rounds with filters; "overdue" lists units that did not screen in time."""
    today = timezone.localdate()
    rounds: Any = (
        ScreeningRound.objects.restrict(request.user)
        .select_related("unit")
        .annotate(dispute_count=Count("disputes"))
    )
    state = request.GET.get("state", "")
    if state == "overdue":
        rounds = rounds.overdue(today)
    elif state == "due":
        rounds = rounds.filter(filed_at__isnull=True, due_date__gte=today)
    elif state == "filed":
        rounds = rounds.filter(filed_at__isnull=False)
    kind = request.GET.get("kind", "")
    if kind in RoundKind.values:
        rounds = rounds.filter(kind=kind)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        rounds = rounds.filter(unit_id=int(unit))
    q = request.GET.get("q", "").strip()
    if q:
        rounds = rounds.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
    rounds = rounds.order_by(
        *(("due_date", "unit__path") if state == "overdue" else ("-due_date", "unit__path")), "pk"
    )
    return render(
        request,
        "ledgers/round_list.html",
        {
            "page_obj": paginate(request, rounds),
            "today": today,
            "state": state,
            "kind": kind,
            "unit": unit,
            "q": q,
            "kinds": RoundKind.choices,
            "units": visible_units(request),
            "qs": query_string(request),
        },
    )


@require_roles(*LEAD_ROLES)
def rule_create(request: HttpRequest) -> HttpResponse:
    form = ScreeningRuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = services.create_screening_rule(
                actor=request.user,
                unit=data["unit"],
                kind=data["kind"],
                cadence=data["cadence"],
                domain=data["domain"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"已生成排查计划：{rule.rounds.count()} 轮")
            return redirect("ledgers:round_list")
    return render(request, "ledgers/form.html", {"form": form, "title": "制定排查计划"})


@require_roles(*STAFF_ROLES)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_for_user(ScreeningRound.objects.select_related("unit"), request.user, pk=pk)
    form = RoundFileForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        rnd = get_object_for_user(
            ScreeningRound.objects.all(), request.user, action="handle", pk=pk
        )
        if form.is_valid():
            try:
                services.file_round(actor=request.user, round=rnd, **form.cleaned_data)
            except XinfangError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, "排查情况已报送")
                return redirect("ledgers:round_detail", pk=rnd.pk)
    disputes = rnd.disputes.select_related("unit").order_by("-found_on", "-pk")
    return render(
        request,
        "ledgers/round_detail.html",
        {"round": rnd, "form": form, "disputes": disputes, "today": timezone.localdate()},
    )


def _filtered_disputes(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    today = timezone.localdate()
    disputes: Any = Dispute.objects.restrict(request.user).select_related("unit", "verified_by")
    f = {k: request.GET.get(k, "").strip() for k in ("q", "status", "domain", "risk", "unit")}
    if f["status"] == "overdue":
        disputes = disputes.overdue(today)
    elif f["status"] in DisputeStatus.values:
        disputes = disputes.filter(status=f["status"])
    if f["domain"] in DisputeDomain.values:
        disputes = disputes.filter(domain=f["domain"])
    if f["risk"] in RiskLevel.values:
        disputes = disputes.filter(risk_level=f["risk"])
    if f["unit"].isdigit():
        unit = visible_units(request).filter(pk=int(f["unit"])).first()
        disputes = disputes.in_subtree(unit) if unit else disputes.none()
    start, end = parse_date(request.GET.get("from")), parse_date(request.GET.get("to"))
    if start:
        disputes = disputes.filter(found_on__gte=start)
    if end:
        disputes = disputes.filter(found_on__lte=end)
    if f["q"]:
        disputes = disputes.filter(
            Q(subject__icontains=f["q"])
            | Q(place__icontains=f["q"])
            | Q(parties__icontains=f["q"])
            | Q(number__icontains=f["q"])
            | Q(petition_ref=f["q"])
        )
    f["from"] = request.GET.get("from", "")
    f["to"] = request.GET.get("to", "")
    return disputes, f


@require_roles(*STAFF_ROLES)
def dispute_list(request: HttpRequest) -> HttpResponse:
    disputes, f = _filtered_disputes(request)
    return render(
        request,
        "ledgers/dispute_list.html",
        {
            "page_obj": paginate(request, disputes),
            "f": f,
            "q": f["q"],
            "statuses": [*DisputeStatus.choices, ("overdue", "逾期未化解")],
            "domains": DisputeDomain.choices,
            "risks": RiskLevel.choices,
            "units": visible_units(request),
            "qs": query_string(request),
            "today": timezone.localdate(),
        },
    )


@require_roles(*STAFF_ROLES)
def dispute_export(request: HttpRequest) -> HttpResponse:
    disputes, _f = _filtered_disputes(request)
    return xlsx_response(
        request,
        filename=f"矛盾纠纷排查化解登记表-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="矛盾纠纷排查化解登记表",
        headers=DISPUTE_EXPORT_COLUMNS,
        rows=dispute_rows(disputes.order_by("unit__path", "found_on", "pk").iterator()),
        what="dispute",
    )


@require_roles(*WRITE_ROLES)
def dispute_create(request: HttpRequest) -> HttpResponse:
    rnd = None
    round_id = request.GET.get("round") or request.POST.get("round")
    if round_id and str(round_id).isdigit():
        rnd = get_object_for_user(
            ScreeningRound.objects.select_related("unit"),
            request.user,
            action="handle",
            pk=int(round_id),
        )
    initial = {"found_on": timezone.localdate(), "round": rnd.pk if rnd else None}
    if rnd:
        initial["unit"] = rnd.unit_id
        initial["domain"] = rnd.domain or None
    form = DisputeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("round", None)
        try:
            dispute = services.register_dispute(actor=request.user, round=rnd, **data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"已登记矛盾纠纷 {dispute.number}")
            return redirect("ledgers:dispute_detail", pk=dispute.pk)
    title = f"登记矛盾纠纷（{rnd.title}）" if rnd else "登记矛盾纠纷"
    return render(request, "ledgers/form.html", {"form": form, "title": title})


@require_roles(*STAFF_ROLES)
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_for_user(
        Dispute.objects.select_related("unit", "round", "resolved_by", "verified_by"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "ledgers/dispute_detail.html",
        {
            "d": dispute,
            "steps": allowed_steps(dispute, request.user),
            "history": dispute.transitions.select_related("actor"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@require_roles(*CHECK_ROLES)
def dispute_transition(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_for_user(Dispute.objects.select_related("unit"), request.user, pk=pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            transition(
                dispute,
                form.cleaned_data["step"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            # The status labels read "已销号", "已化解待核验": they are the message as they are.
            messages.success(request, f"纠纷当前状态：{dispute.get_status_display()}")
    return redirect("ledgers:dispute_detail", pk=dispute.pk)


@require_roles(*WRITE_ROLES)
def dispute_import(request: HttpRequest) -> HttpResponse:
    form = DisputeImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        from xinfang.ledgers.xlsx import import_disputes

        try:
            created = import_disputes(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                stream=form.cleaned_data["file"],
            )
        except ImportRejected as exc:
            errors = exc.errors
        except XinfangError as exc:
            errors = [str(exc)]
        else:
            messages.success(request, f"已导入 {len(created)} 条矛盾纠纷")
            return redirect("ledgers:dispute_list")
    return render(
        request,
        "ledgers/dispute_import.html",
        {"form": form, "errors": errors, "columns": DISPUTE_IMPORT_COLUMNS},
    )


@require_roles(*STAFF_ROLES)
def dispute_stats(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = parse_date(request.GET.get("from")) or today.replace(month=1, day=1)
    end = parse_date(request.GET.get("to")) or today
    rows = services.dispute_stats(Dispute.objects.restrict(request.user), start, end, today)
    totals = services.UnitStats(
        0,
        "合计",
        sum(r.found for r in rows),
        sum(r.resolved for r in rows),
        sum(r.awaiting_verification for r in rows),
        sum(r.overdue for r in rows),
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request,
            filename=f"矛盾纠纷化解统计-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
            sheet="化解统计",
            headers=["单位", "排查发现", "已化解销号", "待核验", "逾期未化解", "化解率（%）"],
            rows=(
                [r.unit_name, r.found, r.resolved, r.awaiting_verification, r.overdue, r.rate]
                for r in [*rows, totals]
            ),
            what="dispute_stats",
        )
    return render(
        request,
        "ledgers/dispute_stats.html",
        {
            "rows": rows,
            "totals": totals,
            "start": start,
            "end": end,
            "target": services.RESOLUTION_TARGET,
            "qs": query_string(request),
        },
    )


@require_roles(*STAFF_ROLES)
def lookback(request: HttpRequest) -> HttpResponse:
    """倒查: was the dispute behind an escalated matter found in a screening before?"""
    form = LookbackForm(request.GET or None, user=request.user)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        result = services.was_found_in_screening(
            data["unit"],
            data["subject_text"],
            data["before_date"],
            petition_ref=data["petition_ref"],
        )
        visible = set(
            Dispute.objects.restrict(request.user)
            .filter(pk__in=[m.dispute.pk for m in result.matches])
            .values_list("pk", flat=True)
        )
        result = services.LookbackResult(
            result.found, [m for m in result.matches if m.dispute.pk in visible]
        )
    return render(
        request,
        "ledgers/lookback.html",
        {"form": form, "result": result},
    )
