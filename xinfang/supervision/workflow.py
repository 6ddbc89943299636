"""The supervision records' workflows, declared on the core engine (条例 Arts. 38–40).

Each record is open until the unit that must act closes it, once:

- 催办 ``reply`` (open → replied): the responsible unit reports progress (Art. 38);
- 督办通知书 ``answer`` (issued → answered): the written answer on adoption (Art. 40);
- 挂牌督办 ``delist`` (listed → delisted): the supervising unit closes the listing;
- 领导包案 ``release`` (active → released): by the leader or the supervising unit;
- 领导批示 ``report`` (a self-loop: the responsible unit reports what it did), then
  ``complete`` (open → completed): the instructing leader or the supervising unit
  confirms it, never the handler's report alone.

Every step writes a :class:`~xinfang.supervision.models.SupervisionTransition` row (the
timeline of the matter's supervision) and an audit entry.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from xinfang.core import workflow as engine
from xinfang.core.errors import TransitionNotAllowed
from xinfang.core.workflow import Ctx, Step
from xinfang.org.access import can
from xinfang.supervision.choices import (
    InstructionStatus,
    ListedStatus,
    NoticeStatus,
    OwnershipStatus,
    ReminderStatus,
)
from xinfang.supervision.errors import SupervisionInvalid
from xinfang.supervision.models import (
    CaseOwnership,
    Instruction,
    ListedSupervision,
    Reminder,
    SupervisionNotice,
    SupervisionTransition,
)

__all__ = ["WORKFLOWS"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReplyInput(_Input):
    reply: str


class AnswerInput(_Input):
    adopted: bool
    answer: str


class DelistInput(_Input):
    delisting_note: str


class ReleaseInput(_Input):
    end_note: str


class CompleteInput(_Input):
    completion_note: str


# step → (the text field that must not be empty, its prompt, the date and actor columns)
_CLOSING: dict[str, tuple[str, str, str, str | None]] = {
    "reply": ("reply", "请填写办理情况", "replied_on", "replied_by"),
    "answer": ("answer", "请填写书面回复内容", "answered_on", "answered_by"),
    "delist": ("delisting_note", "请填写摘牌说明", "delisted_on", None),
    "release": ("end_note", "请填写结束包案的说明", "ended_on", None),
}


def _close(ctx: Ctx) -> None:
    """The guard and effect every closing step shares: its text is required (trimmed),
    the day and the acting user are stamped."""
    text_field, prompt, day_field, by_field = _CLOSING[ctx.step.name]
    values = ctx.input.model_dump()
    text = values[text_field].strip()
    if not text:
        raise SupervisionInvalid(prompt)
    ctx.changes |= {**values, text_field: text, day_field: ctx.today}
    if by_field is not None:
        ctx.changes[by_field] = ctx.actor


def _report(ctx: Ctx) -> None:
    """The responsible unit reports what it did; the instruction stays open until the
    instructing leader or the supervising unit confirms it (条例 Art. 38)."""
    text = ctx.input.model_dump()["completion_note"].strip()
    if not text:
        raise SupervisionInvalid("请填写落实情况")
    ctx.changes |= {"completion_note": text, "reported_on": ctx.today, "reported_by": ctx.actor}


def _confirm(ctx: Ctx) -> None:
    if not ctx.obj.completion_note.strip():
        raise SupervisionInvalid("落实单位尚未报告落实情况，不能确认已落实")
    ctx.changes |= {"completed_on": ctx.today, "completed_by": ctx.actor}


def _authorize_confirm(actor: Any, instruction: Instruction, step: Step) -> None:
    """The instructing leader confirms their own instruction; anyone else needs the step's
    grant (the report: handling in the responsible unit; the confirmation: supervising)."""
    leader = getattr(actor, "pk", None)
    if step.name == "complete" and leader is not None and leader == instruction.leader_id:
        return
    _authorize_staff(actor, instruction, step)


def _authorize_staff(actor: Any, record: Any, step: Step) -> None:
    if not _FLOWS[type(record)].may(actor, record, step):
        raise TransitionNotAllowed(f"您没有{step.label}的权限")


def _authorize_release(actor: Any, ownership: CaseOwnership, step: Step) -> None:
    """The leader ends their own ownership; anyone else needs to supervise the unit."""
    if getattr(actor, "pk", None) is not None and actor.pk == ownership.leader_id:
        return
    _authorize_staff(actor, ownership, step)


def _owner(record: Any) -> dict[str, Any]:
    return {
        "petition_id": record.petition_id,
        "record_type": type(record).__name__.lower(),
        "record_id": record.pk,
    }


def _responsible(record: Any, step: Step) -> tuple[str, ...]:
    return (record.responsible_unit.path,)


def _supervising(record: Any, step: Step) -> tuple[str, ...]:
    return (record.supervising_unit.path,)


def _flow(
    model: type[Any], step: Step, units: Any, authorize: Any = _authorize_staff
) -> engine.Workflow:
    return engine.register(
        engine.Workflow(
            model=model,
            steps=(step,),
            log=SupervisionTransition,
            log_owner=_owner,
            units=units,
            can=can,
            effects={step.name: _close},
            authorize=authorize,
        )
    )


# Reminders and listings: 条例 Art. 38 (督办); notices: Art. 40 (a written answer on adoption,
# within the office's period: the regulation sets none);
# ownership and instructions: Art. 38 read with Art. 7 (leaders take matters personally).
_ARTICLES = {
    "reply": "条例第三十八条",
    "answer": "条例第四十条",
    "delist": "条例第三十八条",
    "release": "条例第七条、第三十八条",
    "complete": "条例第三十八条",
}


def _one(name: str, label: str, source: str, target: str, action: str, data: Any) -> Step:
    return Step(
        name, label, frozenset({source}), target, (action,), article=_ARTICLES[name], input=data
    )


_FLOWS: dict[type[Any], engine.Workflow] = {
    Reminder: _flow(
        Reminder,
        _one(
            "reply",
            "报送办理情况",
            ReminderStatus.OPEN,
            ReminderStatus.REPLIED,
            "handle",
            ReplyInput,
        ),
        _responsible,
    ),
    SupervisionNotice: _flow(
        SupervisionNotice,
        _one(
            "answer",
            "回复督办通知",
            NoticeStatus.ISSUED,
            NoticeStatus.ANSWERED,
            "handle",
            AnswerInput,
        ),
        _responsible,
    ),
    ListedSupervision: _flow(
        ListedSupervision,
        _one(
            "delist", "摘牌", ListedStatus.LISTED, ListedStatus.DELISTED, "supervise", DelistInput
        ),
        _supervising,
    ),
    CaseOwnership: _flow(
        CaseOwnership,
        _one(
            "release",
            "结束包案",
            OwnershipStatus.ACTIVE,
            OwnershipStatus.RELEASED,
            "supervise",
            ReleaseInput,
        ),
        _supervising,
        _authorize_release,
    ),
    Instruction: engine.register(
        engine.Workflow(
            model=Instruction,
            steps=(
                Step(
                    "report",
                    "报告批示落实情况",
                    frozenset({InstructionStatus.OPEN}),
                    engine.STAY,
                    ("handle",),
                    article=_ARTICLES["complete"],
                    input=CompleteInput,
                ),
                Step(
                    "complete",
                    "确认批示已落实",
                    frozenset({InstructionStatus.OPEN}),
                    InstructionStatus.COMPLETED,
                    ("supervise",),
                    article=_ARTICLES["complete"],
                ),
            ),
            log=SupervisionTransition,
            log_owner=_owner,
            units=lambda record, step: (
                _responsible(record, step) if step.name == "report" else _supervising(record, step)
            ),
            can=can,
            effects={"report": _report, "complete": _confirm},
            authorize=_authorize_confirm,
        )
    ),
}
WORKFLOWS = _FLOWS
