"""The ledgers' start page: what is due and overdue, per unit; and the dashboard panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xinfang.ledgers.choices import DisputeStatus, ReportStatus
from xinfang.ledgers.models import (
    Campaign,
    Dispute,
    ReceptionSlot,
    ReportDue,
    ScreeningRound,
)
from xinfang.ledgers.views._common import STAFF_ROLES, visible_units
from xinfang.ledgers.views.meetings import missing_by_requirement
from xinfang.org.guards import require_roles


def _scoped(request: HttpRequest, qs: Any, unit: Any) -> Any:
    qs = qs.restrict(request.user)
    return qs.in_subtree(unit) if unit is not None else qs


@require_roles(*STAFF_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    now = timezone.now()
    units = visible_units(request)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = units.filter(pk=int(request.GET["unit"])).first()
    rounds: Any = _scoped(request, ScreeningRound.objects, unit).select_related("unit")
    reports: Any = _scoped(request, ReportDue.objects, unit).select_related("unit")
    disputes: Any = _scoped(request, Dispute.objects, unit).select_related("unit")
    meetings = [
        (req, missing)
        for req, missing in missing_by_requirement(request.user, today)
        if missing and (unit is None or req.unit.path.startswith(unit.path))
    ]
    context = {
        "unit": unit,
        "units": units,
        "today": today,
        "now": now,
        "rounds_overdue": list(rounds.overdue(today).order_by("due_date")[:20]),
        "rounds_due": list(
            rounds.filter(
                filed_at__isnull=True, due_date__gte=today, due_date__lte=today + timedelta(14)
            ).order_by("due_date")[:20]
        ),
        "reports_overdue": list(reports.overdue(now).order_by("due_at")[:20]),
        "reports_due": list(
            reports.filter(
                status=ReportStatus.DUE, due_at__gte=now, due_at__lte=now + timedelta(hours=48)
            ).order_by("due_at")[:20]
        ),
        "reports_missing": reports.filter(status=ReportStatus.MISSING).count(),
        "disputes_overdue": list(disputes.overdue(today).order_by("deadline")[:20]),
        "disputes_waiting": list(
            disputes.filter(status=DisputeStatus.RESOLVED).order_by("resolved_at")[:20]
        ),
        "meetings_missing": meetings,
        "slots": list(
            _scoped(request, ReceptionSlot.objects, unit)
            .select_related("unit")
            .filter(day__gte=today, day__lte=today + timedelta(14))
            .order_by("day", "starts_at")[:20]
        ),
        "campaigns": list(
            Campaign.objects.restrict(request.user).filter(starts_on__lte=today, ends_on__gte=today)
        ),
    }
    return render(request, "ledgers/dashboard.html", context)


def _any(qs: Any) -> Any:
    return qs


def panel_data(request: HttpRequest) -> dict[str, Any]:
    """Counts for the start-page panel (four small queries)."""
    user = request.user
    today = timezone.localdate()
    now = timezone.now()
    return {
        "rounds_overdue": _any(ScreeningRound.objects.restrict(user)).overdue(today).count(),
        "reports_overdue": _any(ReportDue.objects.restrict(user)).overdue(now).count(),
        "reports_soon": ReportDue.objects.restrict(user)
        .filter(status=ReportStatus.DUE, due_at__gte=now, due_at__lte=now + timedelta(hours=24))
        .count(),
        "disputes_overdue": _any(Dispute.objects.restrict(user)).overdue(today).count(),
        "disputes_waiting": Dispute.objects.restrict(user)
        .filter(Q(status=DisputeStatus.RESOLVED))
        .count(),
    }
