"""Pages of the shell: the audit log, the deadline calculator and the calendar panel."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.core.calendar import legal_calendar
from xinfang.core.deadline_reasoning import explain_deadline
from xinfang.core.forms import DeadlineForm
from xinfang.org.guards import require_roles, require_staff
from xinfang.shell.audit_visibility import visible_audit_entries


@require_roles("administrator")
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = visible_audit_entries(request.user).order_by("-seq")
    q = request.GET.get("q", "").strip()
    if q:
        entries = entries.filter(
            Q(object_repr__icontains=q) | Q(actor_label__icontains=q) | Q(object_id=q)
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page_obj": page, "q": q})


@require_staff
def deadline_calculator(request: HttpRequest) -> HttpResponse:
    """期限计算器: any staff member; a GET form, so it works without JavaScript and a
    result can be bookmarked or sent to a colleague."""
    form = DeadlineForm(request.GET or None)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = explain_deadline(
            legal_calendar(),
            data["start"],
            data["days"],
            working=data["mode"] == "working",
            convention=data["convention"],
        )
    return render(request, "core/deadline_calculator.html", {"form": form, "result": result})


def calendar_panel_data(request: HttpRequest) -> dict[str, Any]:
    """The administrators' panel: a missing holiday schedule and the daily notices about it."""
    from django.utils import timezone

    from xinfang.core.calendar import calendar_warning
    from xinfang.org.inbox import inbox_messages

    unread = inbox_messages(request.user).filter(kind="calendar", is_read=False)
    return {
        "warning": calendar_warning(timezone.localdate()),
        "notices": list(unread.order_by("-created_at", "-pk")[:5]),
    }
