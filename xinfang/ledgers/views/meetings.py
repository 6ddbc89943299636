"""Required meetings, minutes, and the periods in which a meeting is missing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from xinfang.core.errors import XinfangError
from xinfang.ledgers import schedule, services
from xinfang.ledgers.forms import MeetingForm, MeetingRequirementForm
from xinfang.ledgers.models import Meeting, MeetingRequirement
from xinfang.ledgers.views._common import (
    LEAD_ROLES,
    STAFF_ROLES,
    WRITE_ROLES,
    flash_error,
    paginate,
    query_string,
    xlsx_response,
)
from xinfang.org.guards import require_roles


def missing_by_requirement(user: object, today: date) -> list[tuple[MeetingRequirement, list]]:
    """Each visible requirement with its missing periods (two queries in all)."""
    requirements = list(MeetingRequirement.objects.restrict(user).select_related("unit"))
    held: dict[int, list[date]] = defaultdict(list)
    unit_ids = {r.unit_id for r in requirements}
    for unit_id, day in Meeting.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "held_on"
    ):
        held[unit_id].append(day)
    return [
        (
            req,
            schedule.missing_periods(
                req.cadence, req.valid_from, req.valid_to, held[req.unit_id], today
            ),
        )
        for req in requirements
    ]


@require_roles(*STAFF_ROLES)
def meeting_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    meetings = Meeting.objects.restrict(request.user).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        meetings = meetings.filter(
            Q(title__icontains=q) | Q(minutes__icontains=q) | Q(unit__name__icontains=q)
        )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request,
            filename=f"会议记录-{today:%Y%m%d}.xlsx",
            sheet="会议记录",
            headers=[
                "召开日期",
                "单位",
                "会议名称",
                "主持人",
                "出席人员",
                "缺席人员及原因",
                "会议纪要",
            ],
            rows=(
                [m.held_on, m.unit.name, m.title, m.chair, m.attendees, m.absentees, m.minutes]
                for m in meetings.iterator()
            ),
            what="meeting",
        )
    return render(
        request,
        "ledgers/meeting_list.html",
        {
            "page_obj": paginate(request, meetings),
            "q": q,
            "qs": query_string(request),
            "requirements": missing_by_requirement(request.user, today),
        },
    )


@require_roles(*LEAD_ROLES)
def requirement_create(request: HttpRequest) -> HttpResponse:
    form = MeetingRequirementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_meeting_requirement(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "已建立例会制度")
            return redirect("ledgers:meeting_list")
    return render(request, "ledgers/form.html", {"form": form, "title": "建立例会制度"})


@require_roles(*WRITE_ROLES)
def meeting_create(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requirement = (
            MeetingRequirement.objects.filter(unit=data["unit"], title=data["title"]).first()
            or MeetingRequirement.objects.filter(unit=data["unit"]).first()
        )
        try:
            services.record_meeting(actor=request.user, requirement=requirement, **data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "会议记录已保存")
            return redirect("ledgers:meeting_list")
    return render(request, "ledgers/form.html", {"form": form, "title": "登记会议记录"})
