"""The petitions' workflow declared on the core engine, and the timeline row every step writes.

:data:`WORKFLOW` hands the table, the effects and the petitions' hooks to
:mod:`xinfang.core.workflow`: the actor check (grants, or the petitioner's proof), the
typed inputs, the due dates recomputed with every step (``on_change``) and the
:class:`~xinfang.petitions.models.Transition` row with its audit entry and the citizen's SMS
(``record``). :func:`transition` finds the step by its target and takes it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.utils import timezone
from pydantic import ValidationError

from xinfang.core import workflow as engine
from xinfang.core.errors import TransitionNotAllowed
from xinfang.org.models import User
from xinfang.petitions.choices import Status
from xinfang.petitions.citizen_sms import notify_petitioner
from xinfang.petitions.errors import GuardFailed, StepInputInvalid
from xinfang.petitions.models import Petition
from xinfang.petitions.models import Transition as TransitionRow
from xinfang.petitions.workflow.backlog import BacklogImport
from xinfang.petitions.workflow.dues import apply_dues
from xinfang.petitions.workflow.proof import PetitionerProof
from xinfang.petitions.workflow.steps import EFFECTS, Ctx
from xinfang.petitions.workflow.table import (
    IN_STATE_STEPS,
    STEPS,
    Step,
    StepInput,
    actor_may,
    is_recused,
    step_between,
)

__all__ = [
    "WORKFLOW",
    "input_for",
    "record_action",
    "record_step",
    "take_in_state_step",
    "transition",
]


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


def _check_actor(
    actor: Any,
    petition: Petition,
    step: Step,
    petitioner: Any = None,
    backlog: BacklogImport | None = None,
    **_: Any,
) -> None:
    if backlog is not None:
        # A matter imported from the general register (see .backlog): the importer's
        # "import_register" over the step's units, never the petitioner's own acts.
        if petitioner is not None:
            raise TransitionNotAllowed("信访人不能办理此项操作")
        backlog.check(actor, petition, step)
        return
    if step.petitioner_only:
        # The petitioner's own act (Arts. 21, 35, 36): a proof for this matter, and never a
        # staff identity, whatever else is passed.
        if actor is not None and not getattr(actor, "is_citizen", False):
            raise TransitionNotAllowed(f"“{step.label}”只能由信访人本人办理，工作人员不能代为操作")
        if not isinstance(petitioner, PetitionerProof):
            raise TransitionNotAllowed(f"“{step.label}”须由信访人凭查询码和联系电话办理")
        petitioner.check(petition)
    elif petitioner is not None:
        raise TransitionNotAllowed("信访人不能办理此项操作")
    elif is_recused(actor, petition):
        raise TransitionNotAllowed("您已就该事项回避，不能办理（《信访工作条例》第二十八条）")
    elif not actor_may(actor, petition, step):
        raise TransitionNotAllowed("您没有办理此项操作的权限")


def _dues(petition: Petition, ctx: engine.Ctx) -> dict[str, Any]:
    """The legal clock recomputed with every step, written with the status. The due dates
    run from the step's date; a step entered with its real, earlier date (a paper backlog)
    is judged overdue against the day it is recorded, not the day it happened."""
    backdated = getattr(ctx.input, "occurred_on", None) is not None
    today = timezone.localdate(ctx.now) if backdated else ctx.today
    return {**apply_dues(petition, today=today), "updated_at": timezone.now()}


def _record(
    petition: Petition,
    *,
    petitioner: PetitionerProof | None = None,
    backlog: BacklogImport | None = None,
    flow: engine.Workflow,
    **step: Any,
) -> TransitionRow:
    return record_step(petition, as_petitioner=petitioner is not None, **step)


WORKFLOW = engine.register(
    engine.Workflow(
        model=Petition,
        steps=STEPS + IN_STATE_STEPS,
        log=TransitionRow,  # the matter's own timeline, written by ``record_step``
        log_owner="petition",
        effects=EFFECTS,
        authorize=_check_actor,
        validate=input_for,
        context=Ctx,
        on_change=_dues,
        record=_record,
        concurrent="该事项已被他人处理，请刷新后重试",
        reason_error=GuardFailed,
    )
)


def transition(
    petition: Petition,
    to: str,
    *,
    actor: Any,
    reason: str = "",
    input: StepInput | None = None,
    petitioner: PetitionerProof | None = None,
    today: date | None = None,
    step: str | None = None,
    backlog: BacklogImport | None = None,
    **fields: Any,
) -> Petition:
    """Move ``petition`` to ``to`` by the table, as ``actor``; return the updated matter.

    The petitions' entry to the core engine (:func:`xinfang.core.workflow.transition`):
    the step is found by its target (and by its name ``step`` where two steps share the
    target: rejecting an objection and re-routing both reach "routed"). The step's
    payload is its typed ``input`` (what request handlers pass, built from the request
    by :func:`input_for`), or, for Python
    callers, its fields as keywords — both are validated against the step's model,
    unknown keys refused (``StepInputInvalid``). Steps that are the petitioner's own act
    need ``petitioner``, a proof minted by the portal (see :mod:`.proof`), and refuse any
    staff ``actor``. ``backlog`` takes the step for an import from the general register
    (:mod:`.backlog`: the importer's "import_register" instead of the step's grant).
    Raises ``TransitionNotAllowed`` (table, grant or proof), ``GuardFailed`` (a rule of law)
    or ``ConcurrentChange`` (someone moved the matter meanwhile).
    """
    found = step_between(petition.status, to, step)
    if found is None:
        raise TransitionNotAllowed(
            f"“{Status(petition.status).label}”状态不能转为“{Status(to).label}”"
            if to in Status.values
            else "未知的目标状态"
        )
    if input is not None and fields:
        raise TypeError("pass the step's input or its fields, not both")
    extra: dict[str, Any] = {"backlog": backlog} if backlog is not None else {}
    moved: Petition = engine.transition(
        petition,
        found,
        actor=actor,
        reason=reason,
        data=input if input is not None else fields,
        today=today,
        petitioner=petitioner,
        **extra,
    )
    return moved


def take_in_state_step(
    petition: Petition,
    name: str,
    *,
    actor: Any,
    reason: str = "",
    backlog: BacklogImport | None = None,
    **fields: Any,
) -> Petition:
    """Take the in-state step ``name`` (extension, hearing, delivery, completion report):
    the matter's columns and clock change under the compare-and-swap, the status stays."""
    step = WORKFLOW.step(name)
    if step is None or not step.in_state:
        raise TransitionNotAllowed(f"未知的操作：{name}")
    extra: dict[str, Any] = {"backlog": backlog} if backlog is not None else {}
    moved: Petition = engine.transition(
        petition, step, actor=actor, reason=reason, data=fields, **extra
    )
    return moved


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
    such as an extension or a hearing), then the petitioner's SMS (opt-in)."""
    user = actor if isinstance(actor, User) else None
    by_citizen = user is None or user.is_citizen
    row = engine.record_step(
        petition,
        flow=WORKFLOW,
        name=name,
        old=old,
        new=new,
        actor=user,
        reason=reason,
        payload=payload,
        label="信访人（网上）" if as_petitioner and by_citizen else str(user or "系统"),
    )
    notify_petitioner(petition, step=name)  # the citizen's SMS (opt-in; citizen_sms.py)
    return cast(TransitionRow, row)  # the matter's workflow always has its log


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
