"""The legal clock applied to a row: every due column of a matter from its anchor dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from xinfang.core.calendar import LegalCalendar, legal_calendar
from xinfang.petitions import deadlines
from xinfang.petitions.choices import HandlingProcedure, Status
from xinfang.petitions.models import Petition

__all__ = ["anchors_of", "apply_dues"]


def anchors_of(p: Petition) -> deadlines.Anchors:
    return deadlines.Anchors(
        received_on=p.received_on,
        routed_on=p.routed_on,
        objected_on=p.objected_on if p.status == Status.OBJECTED else None,
        accepted_on=p.accepted_on,
        extension_days=p.extension_days,
        sixty_day_clock=p.handling_procedure == HandlingProcedure.PETITION,
        answer_received_on=p.answer_delivered_on or p.answered_on,
        review_requested_on=p.review_requested_on,
        review_decided_on=p.review_decided_on,
        review_received_on=p.review_delivered_on or p.review_decided_on,
        rereview_requested_on=p.rereview_requested_on,
        rereview_pause_days=p.rereview_pause_days,
        report_due_given=p.report_due_given,
    )


def _provisional_columns(dues: deadlines.Dues, *, report_required: bool) -> dict[str, str]:
    return {
        f"{name}_due": day.isoformat()
        for name, day in sorted(dues.not_before.items())
        if name != "report" or report_required
    }


def apply_dues(
    p: Petition, *, calendar: LegalCalendar | None = None, today: date | None = None
) -> dict[str, Any]:
    """Recompute every due column of ``p`` in memory; return the changed column values."""
    cal = calendar or legal_calendar()
    dues = deadlines.compute_dues(anchors_of(p), cal, settings.XINFANG_DEADLINE_CONVENTION)
    report_outstanding = bool(p.report_required and p.report_submitted_on is None and p.answered_on)
    step, due = deadlines.current_step(
        p.status, dues, report_outstanding=report_outstanding, hearing_open=p.hearing_open
    )
    today = today or timezone.localdate()
    values: dict[str, Any] = {
        "route_due": dues.route,
        "objection_due": dues.objection,
        "objection_decision_due": dues.objection_decision,
        "notice_due": dues.notice,
        "handle_due": dues.handle,
        "report_due": dues.report if p.report_required else None,
        "review_request_due": dues.review_request,
        "review_due": dues.review,
        "rereview_request_due": dues.rereview_request,
        "rereview_due": dues.rereview,
        "next_due": due,
        "next_due_step": step,
        "deadline_pending": dues.pending,
        "deadline_notice": deadlines.pending_notice(dues.pending_years),
        "provisional_dues": _provisional_columns(dues, report_required=p.report_required),
        "next_due_not_before": (
            dues.not_before.get(deadlines.step_period(step))
            if step and due is None and not p.hearing_open
            else None
        ),
    }
    overdue = due is not None and due < today
    values["is_overdue"] = overdue
    values["overdue_since"] = (p.overdue_since if p.is_overdue else None) if overdue else None
    if overdue and values["overdue_since"] is None:
        values["overdue_since"] = due
    for key, value in values.items():
        setattr(p, key, value)
    return values
