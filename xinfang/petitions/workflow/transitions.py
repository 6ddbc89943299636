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
from pydantic import ValidationError

from xinfang.core import audit
from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.org.models import User
from xinfang.petitions.choices import Status
from xinfang.petitions.citizen_sms import notify_petitioner
from xinfang.petitions.errors import GuardFailed, StepInputInvalid
from xinfang.petitions.models import Petition
from xinfang.petitions.models import Transition as TransitionRow
from xinfang.petitions.workflow.dues import apply_dues
from xinfang.petitions.workflow.proof import PetitionerProof
from xinfang.petitions.workflow.steps import EFFECTS, Ctx
from xinfang.petitions.workflow.table import Step, StepInput, actor_may, step_between

__all__ = ["input_for", "record_action", "record_step", "transition"]


def input_for(step: Step, data: StepInput | dict[str, Any]) -> StepInput:
    """``data`` as ``step``'s typed input; ``StepInputInvalid`` names an unknown key or a
    value of the wrong type (the API answers it with 422)."""
    if isinstance(data, StepInput):
        if type(data) is not step.input:
            raise StepInputInvalid(f"“{step.label}”的参数类型不符")
        return data
    try:
        return step.input.model_validate(data)
    except ValidationError as exc:
        raise StepInputInvalid.from_validation(step.label, exc) from exc


def _check_actor(actor: Any, petition: Petition, step: Step, petitioner: Any) -> None:
    if step.petitioner_only:
        # The petitioner's own act (Arts. 21, 35, 36): a proof for this matter, and never a
        # staff identity, whatever else is passed.
        if actor is not None and not getattr(actor, "is_citizen", False):
            raise TransitionNotAllowed(f"“{step.label}”只能由信访人本人办理,工作人员不能代为操作")
        if not isinstance(petitioner, PetitionerProof):
            raise TransitionNotAllowed(f"“{step.label}”须由信访人凭查询码和联系电话办理")
        petitioner.check(petition)
    elif petitioner is not None:
        raise TransitionNotAllowed("信访人不能办理此项操作")
    elif not actor_may(actor, petition, step):
        raise TransitionNotAllowed("您没有办理此项操作的权限")


@transaction.atomic
def transition(
    petition: Petition,
    to: str,
    *,
    actor: Any,
    reason: str = "",
    input: StepInput | None = None,
    petitioner: PetitionerProof | None = None,
    today: date | None = None,
    **fields: Any,
) -> Petition:
    """Move ``petition`` to ``to`` by the table, as ``actor``; return the updated matter.

    The step's payload is its typed ``input`` (what request handlers pass, built from the
    request by :func:`input_for`), or, for Python callers, its fields as keywords — both
    are validated against the step's model, unknown keys refused (``StepInputInvalid``).
    Steps that are the petitioner's own act need ``petitioner``, a proof minted by the
    portal (see :mod:`.proof`), and refuse any staff ``actor``.
    Raises ``TransitionNotAllowed`` (table, grant or proof), ``GuardFailed`` (a rule of law)
    or ``ConcurrentChange`` (someone moved the matter meanwhile).
    """
    step = step_between(petition.status, to)
    if step is None:
        raise TransitionNotAllowed(
            f"“{Status(petition.status).label}”状态不能转为“{Status(to).label}”"
            if to in Status.values
            else "未知的目标状态"
        )
    if input is not None and fields:
        raise TypeError("pass the step's input or its fields, not both")
    _check_actor(actor, petition, step, petitioner)
    data = input_for(step, input if input is not None else fields)
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise GuardFailed(f"“{step.label}”须写明理由")
    ctx = Ctx(
        petition=petition,
        step=step,
        actor=actor,
        reason=reason,
        input=data,
        today=today or timezone.localdate(),
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
        as_petitioner=petitioner is not None,
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
    by_citizen = user is None or user.is_citizen
    label = "信访人(网上)" if as_petitioner and by_citizen else str(user or "系统")
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
