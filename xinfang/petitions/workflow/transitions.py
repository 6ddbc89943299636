"""The one function that moves a matter, and the timeline row every step writes.

:func:`transition` finds the step in the table, checks the actor's grant on the unit the
step belongs to, runs the step's guard and effect, writes the change with a
compare-and-swap on ``(status, version)``, recomputes the due dates, and records a
:class:`~xinfang.petitions.models.Transition` row and an audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.org.models import User
from xinfang.petitions.choices import Status
from xinfang.petitions.citizen_sms import notify_petitioner
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import Petition
from xinfang.petitions.models import Transition as TransitionRow
from xinfang.petitions.workflow.dues import apply_dues
from xinfang.petitions.workflow.steps import EFFECTS, Ctx
from xinfang.petitions.workflow.table import actor_may, step_between

__all__ = ["record_action", "record_step", "transition"]


@transaction.atomic
def transition(
    petition: Petition,
    to: str,
    *,
    actor: Any,
    reason: str = "",
    as_petitioner: bool = False,
    today: date | None = None,
    **payload: Any,
) -> Petition:
    """Move ``petition`` to ``to`` by the table, as ``actor``; return the updated matter.

    ``as_petitioner=True`` is for the citizen portal, which has verified the query code and
    phone: only steps with ``petitioner_may`` are then allowed, ``actor`` may be ``None``.
    Raises ``TransitionNotAllowed`` (table or grant), ``GuardFailed`` (a rule of law) or
    ``ConcurrentChange`` (someone moved the matter meanwhile).
    """
    step = step_between(petition.status, to)
    if step is None:
        raise TransitionNotAllowed(
            f"“{Status(petition.status).label}”状态不能转为“{Status(to).label}”"
            if to in Status.values
            else "未知的目标状态"
        )
    if as_petitioner:
        if not step.petitioner_may:
            raise TransitionNotAllowed("信访人不能办理此项操作")
    elif not actor_may(actor, petition, step):
        raise TransitionNotAllowed("您没有办理此项操作的权限")
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise GuardFailed(f"“{step.label}”须写明理由")
    ctx = Ctx(
        petition=petition,
        step=step,
        actor=actor,
        reason=reason,
        payload=payload,
        today=today or timezone.localdate(),
        as_petitioner=as_petitioner,
    )
    EFFECTS[step.name](ctx)
    old_status, old_version = petition.status, petition.version
    ctx.changes.update(status=step.target, version=old_version + 1)
    for key, value in ctx.changes.items():
        setattr(petition, key, value)
    dues = apply_dues(petition, today=ctx.today)
    updates = {**ctx.changes, **dues, "updated_at": timezone.now()}
    rows = Petition.objects.filter(pk=petition.pk, status=old_status, version=old_version).update(
        **updates
    )
    if rows != 1:
        raise ConcurrentChange("该事项已被他人处理,请刷新后重试")
    for followup in ctx.after:
        followup()
    record_step(
        petition,
        name=step.name,
        old=old_status,
        new=step.target,
        actor=actor,
        reason=reason,
        payload=ctx.record,
        as_petitioner=as_petitioner,
    )
    return petition


def record_step(
    petition: Petition,
    *,
    name: str,
    old: str,
    new: str,
    actor: Any,
    reason: str,
    payload: dict[str, Any] | None = None,
    as_petitioner: bool = False,
) -> TransitionRow:
    """Write the timeline row and the audit entry of one step (also for in-state actions
    such as an extension or a hearing)."""
    user = actor if isinstance(actor, User) else None
    label = "信访人(网上)" if as_petitioner and user is None else str(user or "系统")
    row = TransitionRow.objects.create(
        petition=petition,
        name=name,
        from_status=old,
        to_status=new,
        actor=user,
        actor_label=label[:100],
        reason=reason,
        payload=payload or {},
    )
    audit.record(
        actor=user,
        action=AuditAction.TRANSITION,
        obj=petition,
        before={"status": old},
        after={"status": new},
        detail={"step": name, "reason": reason, **(payload or {})},
    )
    notify_petitioner(petition, step=name)  # the citizen's SMS (opt-in; citizen_sms.py)
    return row


def record_action(
    petition: Petition,
    *,
    name: str,
    actor: Any,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    as_petitioner: bool = False,
) -> TransitionRow:
    """:func:`record_step` for an action that leaves the status as it is (registration, an
    extension, a hearing, a completion report)."""
    return record_step(
        petition,
        name=name,
        old=petition.status,
        new=petition.status,
        actor=actor,
        reason=reason,
        payload=payload,
        as_petitioner=as_petitioner,
    )
