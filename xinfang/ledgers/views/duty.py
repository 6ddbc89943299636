"""Duty rosters, report obligations, what is due, filing, urgent reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import XinfangError
from xinfang.core.querysets import get_object_for_user
from xinfang.ledgers import services
from xinfang.ledgers.choices import PublishStatus, ReportKind, ReportStatus
from xinfang.ledgers.forms import (
    AbsenceForm,
    ObligationForm,
    ReportFileForm,
    RosterForm,
    ShiftForm,
    UrgentForm,
)
from xinfang.ledgers.models import DutyRoster, DutyShift, ReportDue, ReportObligation
from xinfang.ledgers.pdf import pdf_response
from xinfang.ledgers.views._common import (
    CHECK_ROLES,
    DUTY_ROLES,
    LEAD_ROLES,
    STAFF_ROLES,
    flash_error,
    paginate,
    query_string,
    visible_units,
    xlsx_response,
)
from xinfang.org.guards import require_roles


@require_roles(*STAFF_ROLES)
def roster_list(request: HttpRequest) -> HttpResponse:
    rosters = (
        DutyRoster.objects.restrict(request.user)
        .select_related("unit")
        .annotate(shift_count=Count("shifts"))
        .order_by("-starts_on", "pk")
    )
    q = request.GET.get("q", "").strip()
    if q:
        rosters = rosters.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
    status = request.GET.get("status", "")
    if status in PublishStatus.values:
        rosters = rosters.filter(status=status)
    return render(
        request,
        "ledgers/roster_list.html",
        {
            "page_obj": paginate(request, rosters),
            "q": q,
            "status": status,
            "statuses": PublishStatus.choices,
            "qs": query_string(request),
        },
    )


@require_roles(*DUTY_ROLES)
def roster_create(request: HttpRequest) -> HttpResponse:
    form = RosterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            roster = services.create_roster(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            return redirect("ledgers:roster_detail", pk=roster.pk)
    return render(request, "ledgers/form.html", {"form": form, "title": "新建值班表"})


@require_roles(*STAFF_ROLES)
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_for_user(DutyRoster.objects.select_related("unit"), request.user, pk=pk)
    form = ShiftForm(request.POST or None, initial={"day": roster.starts_on})
    if request.method == "POST":
        roster = get_object_for_user(
            DutyRoster.objects.select_related("unit"), request.user, action="duty", pk=pk
        )
        if form.is_valid():
            try:
                services.add_shift(actor=request.user, roster=roster, **form.cleaned_data)
            except XinfangError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, "已添加班次")
                return redirect("ledgers:roster_detail", pk=roster.pk)
    gaps = services.unstaffed_days(roster)
    return render(
        request,
        "ledgers/roster_detail.html",
        {
            "roster": roster,
            "shifts": roster.shifts.all(),
            "form": form,
            "unstaffed": services.unstaffed_text(gaps) if gaps else "",
        },
    )


@require_POST
@require_roles(*DUTY_ROLES)
def roster_publish(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_for_user(
        DutyRoster.objects.select_related("unit"), request.user, action="duty", pk=pk
    )
    try:
        services.publish_roster(actor=request.user, roster=roster)
    except XinfangError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, "值班表已公布")
        gaps = services.unstaffed_days(roster)
        if gaps:
            messages.warning(request, f"注意：以下日期无人值班：{services.unstaffed_text(gaps)}")
    return redirect("ledgers:roster_detail", pk=roster.pk)


@require_roles(*STAFF_ROLES)
def roster_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_for_user(DutyRoster.objects.select_related("unit"), request.user, pk=pk)
    return pdf_response(
        "ledgers/print/roster.html",
        {"roster": roster, "shifts": roster.shifts.all()},
        f"{roster.title}.pdf",
    )


@require_roles(*STAFF_ROLES)
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    roster = get_object_for_user(DutyRoster.objects.select_related("unit"), request.user, pk=pk)
    return xlsx_response(
        request,
        filename=f"{roster.title}.xlsx",
        sheet="值班表",
        headers=["日期", "开始", "结束", "值班人员", "带班领导", "办公电话", "手机", "脱岗记录"],
        rows=(
            [
                s.day,
                f"{s.starts_at:%H:%M}",
                f"{s.ends_at:%H:%M}",
                s.officer_name,
                s.leader_name,
                s.office_phone or roster.duty_phone,
                s.mobile,
                s.absence_note,
            ]
            for s in roster.shifts.all()
        ),
        what="roster",
    )


@require_POST
@require_roles(*CHECK_ROLES)
def shift_absence(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_object_for_user(
        DutyShift.objects.select_related("roster__unit"), request.user, action="supervise", pk=pk
    )
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            services.record_duty_absence(
                actor=request.user, shift=shift, note=form.cleaned_data["note"]
            )
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "已记录脱岗")
    else:
        messages.error(request, "请填写脱岗情况")
    return redirect("ledgers:roster_detail", pk=shift.roster_id)


@require_roles(*STAFF_ROLES)
def obligation_list(request: HttpRequest) -> HttpResponse:
    obligations = ReportObligation.objects.restrict(request.user).select_related("unit", "campaign")
    q = request.GET.get("q", "").strip()
    if q:
        obligations = obligations.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
    return render(
        request,
        "ledgers/obligation_list.html",
        {"page_obj": paginate(request, obligations), "q": q, "qs": query_string(request)},
    )


@require_roles(*LEAD_ROLES)
def obligation_create(request: HttpRequest) -> HttpResponse:
    form = ObligationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            obligations = services.create_obligations(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            dues = sum(ob.dues.count() for ob in obligations)
            messages.success(
                request,
                f"已为 {len(obligations)} 个单位建立报告制度，生成应报事项 {dues} 项",
            )
            return redirect("ledgers:report_list")
    return render(request, "ledgers/form.html", {"form": form, "title": "建立报告制度"})


def _filtered_reports(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    now = timezone.now()
    reports: Any = ReportDue.objects.restrict(request.user).select_related("unit", "filed_by")
    f = {k: request.GET.get(k, "").strip() for k in ("q", "state", "kind", "unit")}
    if f["state"] == "overdue":
        reports = reports.overdue(now)
    elif f["state"] == "upcoming":
        reports = reports.filter(status=ReportStatus.DUE, due_at__gte=now).order_by("due_at")
    elif f["state"] == "late":
        reports = reports.filter(
            status=ReportStatus.FILED, filed_at__gt=F("due_at"), marked_missing_at__isnull=True
        )
    elif f["state"] == "missing":
        # 补报 (filed after being marked missing) still counts as missing.
        reports = reports.filter(
            Q(status=ReportStatus.MISSING) | Q(marked_missing_at__isnull=False)
        )
    elif f["state"] in ReportStatus.values:
        reports = reports.filter(status=f["state"])
    if f["kind"] in ReportKind.values:
        reports = reports.filter(kind=f["kind"])
    if f["unit"].isdigit():
        reports = reports.filter(unit_id=int(f["unit"]))
    if f["q"]:
        reports = reports.filter(Q(title__icontains=f["q"]) | Q(unit__name__icontains=f["q"]))
    return reports, f


@require_roles(*STAFF_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    reports, f = _filtered_reports(request)
    return render(
        request,
        "ledgers/report_list.html",
        {
            "page_obj": paginate(request, reports),
            "f": f,
            "q": f["q"],
            "now": timezone.now(),
            "states": [
                ("upcoming", "待报"),
                ("overdue", "已逾期未报"),
                ("filed", "已报"),
                ("late", "迟报"),
                ("missing", "漏报"),
            ],
            "kinds": ReportKind.choices,
            "units": visible_units(request),
            "qs": query_string(request),
        },
    )


@require_roles(*STAFF_ROLES)
def report_export(request: HttpRequest) -> HttpResponse:
    reports, _f = _filtered_reports(request)

    def rows() -> Iterator[list[Any]]:
        for r in reports.order_by("due_at", "pk").iterator():
            yield [
                r.unit.name,
                r.title,
                r.get_kind_display(),
                timezone.localtime(r.due_at).replace(tzinfo=None),
                r.get_status_display(),
                timezone.localtime(r.filed_at).replace(tzinfo=None) if r.filed_at else "",
                "是" if r.is_late else "",
                "是" if r.is_zero else "",
                r.content,
            ]

    return xlsx_response(
        request,
        filename=f"信息报送台账-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="信息报送台账",
        headers=["单位", "报告", "类别", "应报时间", "状态", "报送时间", "迟报", "零报告", "内容"],
        rows=rows(),
        what="report",
    )


@require_roles(*STAFF_ROLES)
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    due = get_object_for_user(ReportDue.objects.select_related("unit"), request.user, pk=pk)
    form = ReportFileForm(request.POST or None)
    if request.method == "POST":
        due = get_object_for_user(
            ReportDue.objects.select_related("unit"), request.user, action="duty", pk=pk
        )
        if form.is_valid():
            try:
                services.file_report(actor=request.user, due=due, **form.cleaned_data)
            except XinfangError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, "零报告已报送" if due.is_zero else "报告已报送")
                return redirect("ledgers:report_file", pk=due.pk)
    return render(
        request, "ledgers/report_file.html", {"due": due, "form": form, "now": timezone.now()}
    )


@require_roles(*STAFF_ROLES)
def urgent_create(request: HttpRequest) -> HttpResponse:
    form = UrgentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            due = services.record_urgent_event(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(
                request, f"已登记，须于 {timezone.localtime(due.due_at):%m月%d日 %H:%M} 前报送"
            )
            return redirect("ledgers:report_file", pk=due.pk)
    return render(
        request,
        "ledgers/form.html",
        {
            "form": form,
            "title": "登记紧急事项/上级推送预警",
            "hint": (
                "重大紧急情况须在1小时内报告；上级推送的预警信息须在2小时内反馈"
                "（自事件发生或收到预警时起算）。"
            ),
        },
    )
