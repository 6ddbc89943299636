"""Requests made while their window was pending (条例 Arts. 23, 35, 36).

A review or re-review request (or a receiving body's objection) whose 30-day (5-working-day)
window ends in a year whose holiday schedule is not entered yet is accepted and recorded as
a :class:`WindowCheck` (``workflow/steps.py``). When the year is entered and the due dates
are recomputed, :func:`settle_window_checks` fills in the real last day: a request within it
is ``in_time``; one outside it is ``late`` and listed for a staff decision
(:func:`decide_window_check`), never dropped.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.models import AuditAction
from xinfang.org.models import User
from xinfang.petitions.errors import PetitionError
from xinfang.petitions.models import WindowCheck

__all__ = ["decide_window_check", "settle_window_checks"]

Outcome = WindowCheck.Outcome


def settle_window_checks() -> int:
    """Fill in the real last day of every pending check whose due date is now known."""
    settled = 0
    pending = WindowCheck.objects.filter(outcome=Outcome.PENDING).select_related("petition")
    for check in pending.iterator(chunk_size=500):
        real_due = getattr(check.petition, check.due_column)
        if real_due is None:
            continue
        outcome = Outcome.IN_TIME if check.made_on <= real_due else Outcome.LATE
        settled += WindowCheck.objects.filter(pk=check.pk, outcome=Outcome.PENDING).update(
            real_due=real_due, outcome=outcome
        )
    return settled


@transaction.atomic
def decide_window_check(check: WindowCheck, *, actor: User, keep: bool, note: str) -> WindowCheck:
    """Staff decide on a request that turned out late: keep handling it, or not accept it."""
    note = note.strip()
    if not note:
        raise PetitionError("请填写决定说明")
    before = snapshot(check, ["outcome", "decision_note"])
    outcome = Outcome.KEPT if keep else Outcome.REFUSED
    won = WindowCheck.objects.filter(pk=check.pk, outcome=Outcome.LATE).update(
        outcome=outcome, decided_by=actor, decided_at=timezone.now(), decision_note=note
    )
    if not won:
        raise PetitionError("该申请无需决定或已由他人决定，请刷新后查看")
    check.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=check,
        before=before,
        after=snapshot(check, ["outcome", "decision_note"]),
    )
    return check
