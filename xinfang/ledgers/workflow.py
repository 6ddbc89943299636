"""The ledgers' workflows, declared on the core engine (:mod:`xinfang.core.workflow`).

Duty rosters and reception slots are published once (draft → published); a report due is
filed (due or missing → filed; a missing one may still be filed late, 补报, and stays
counted as missing) or marked missing by the job (:data:`~xinfang.core.workflow.SYSTEM`).
Their steps are written to ``LedgerTransition``. The dispute ledger:

::

    registered ──start──▶ in_progress ──resolve──▶ resolved ──verify──▶ closed (化解销号)
        └─────────────resolve──────────────────────▲    │
                                   in_progress ◀──reject┘

Close-out needs verification by a second person: whoever verifies (or rejects) cannot be
the person who recorded the resolution. Every step is the engine's compare-and-swap on
``(status, version)``, written to ``DisputeTransition`` and the audit chain.
"""

from __future__ import annotations

from typing import Any

from xinfang.core import workflow as engine
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.workflow import Ctx, NoInput, Step
from xinfang.ledgers.choices import DisputeStatus as S
from xinfang.ledgers.choices import PublishStatus, ReportStatus
from xinfang.ledgers.errors import VerifierConflict
from xinfang.ledgers.models import (
    Dispute,
    DisputeTransition,
    DutyRoster,
    LedgerTransition,
    ReceptionSlot,
    ReportDue,
)
from xinfang.org.access import can

__all__ = [
    "REPORT",
    "ROSTER",
    "SLOT",
    "TRANSITIONS",
    "WORKFLOW",
    "Step",
    "allowed_steps",
    "is_own_dispute",
    "transition",
]

# The second-person rule: verification and rejection are checked in the guard below.
SECOND_PERSON = frozenset({"verify", "reject"})

TRANSITIONS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("start", "开始化解", frozenset({S.REGISTERED}), S.IN_PROGRESS, ("handle",)),
        Step(
            "resolve",
            "登记化解结果",
            frozenset({S.REGISTERED, S.IN_PROGRESS}),
            S.RESOLVED,
            ("handle",),
            reason_required=True,
        ),
        Step("verify", "核验销号", frozenset({S.RESOLVED}), S.CLOSED, ("handle", "supervise")),
        Step(
            "reject",
            "核验不通过，退回",
            frozenset({S.RESOLVED}),
            S.IN_PROGRESS,
            ("handle", "supervise"),
            reason_required=True,
        ),
    )
}


def is_own_dispute(dispute: Dispute, actor: Any) -> bool:
    """Is ``actor`` the dispute's resolver or its 责任人 (named in the ledger by name)?

    Verification is the second person's look at the result: whoever answers for the
    dispute or recorded its resolution is not that person.
    """
    if getattr(actor, "pk", None) is None:
        return True
    if dispute.resolved_by_id == actor.pk:
        return True
    names = {str(getattr(actor, "full_name", "") or "").strip(), str(actor.username).strip()}
    return dispute.responsible_person.strip() in names - {""}


def _second_person(ctx: Ctx) -> None:
    if ctx.actor.pk is None or ctx.obj.resolved_by_id == ctx.actor.pk:
        raise VerifierConflict("化解销号须由化解人以外的第二人核验，化解人本人不能核验")
    if is_own_dispute(ctx.obj, ctx.actor):
        raise VerifierConflict("化解销号须由责任人以外的第二人核验，责任人本人不能核验")


def _resolve(ctx: Ctx) -> None:
    user = ctx.actor if ctx.actor.pk is not None else None
    ctx.changes |= {"resolved_at": ctx.now, "resolved_by": user, "resolution_note": ctx.reason}


def _verify(ctx: Ctx) -> None:
    _second_person(ctx)
    ctx.changes |= {
        "verified_at": ctx.now,
        "verified_by": ctx.actor,
        "verification_note": ctx.reason,
    }


def _reject(ctx: Ctx) -> None:
    _second_person(ctx)
    ctx.changes["verification_note"] = ctx.reason


def _authorize(actor: Any, dispute: Dispute, step: Step) -> None:
    if not WORKFLOW.may(actor, dispute, step):
        raise NotFoundOrForbidden("该纠纷不存在或您无权操作")


def _authorize_record(actor: Any, record: Any, step: Step) -> None:
    """The ledger services' words for a refused grant (missing and forbidden alike)."""
    if not engine.workflow_of(record).may(actor, record, step):
        raise NotFoundOrForbidden("对象不存在或您无权操作")


WORKFLOW = engine.register(
    engine.Workflow(
        model=Dispute,
        steps=tuple(TRANSITIONS.values()),
        log=DisputeTransition,
        log_owner="dispute",
        units=lambda dispute, step: (dispute.unit.path,),
        can=can,
        effects={"resolve": _resolve, "verify": _verify, "reject": _reject},
        authorize=_authorize,
        concurrent="该纠纷已被他人处理，请刷新后重试",
        reason_missing="“{label}”须填写说明",
    )
)


def allowed_steps(dispute: Dispute, actor: Any) -> list[Step]:
    """Steps ``actor`` may take now (for buttons; ``transition`` checks again)."""
    return [
        step
        for step in engine.allowed_steps(dispute, actor)
        if not (step.name in SECOND_PERSON and is_own_dispute(dispute, actor))
    ]


def transition(dispute: Dispute, step_name: str, *, actor: Any, reason: str = "") -> Dispute:
    """Take ``step_name`` on ``dispute`` (the core engine's ``transition``)."""
    result: Dispute = engine.transition(dispute, step_name, actor=actor, reason=reason)
    return result


# ---------------------------------------------------------------------------------------
# Rosters, reports and reception slots


class FileInput(NoInput):
    is_zero: bool
    content: str


def _unit_path(record: Any, step: Step) -> tuple[str, ...]:
    return (record.unit.path,)


def _timeline(record: Any) -> dict[str, Any]:
    return {
        "unit_id": record.unit_id,
        "record_type": type(record).__name__.lower(),
        "record_id": record.pk,
    }


def _publish_roster(ctx: Ctx) -> None:
    user = ctx.actor if ctx.actor.pk is not None else None
    ctx.changes |= {"published_at": ctx.now, "published_by": user}


def _publish_slot(ctx: Ctx) -> None:
    ctx.changes["published_at"] = ctx.now


def _file(ctx: Ctx) -> None:
    # 补报: a report already marked missing keeps ``marked_missing_at`` and so stays missing.
    data: Any = ctx.input  # FileInput, validated by the engine
    due: ReportDue = ctx.obj
    ctx.changes |= {
        "filed_at": ctx.now,
        "filed_by": ctx.actor,
        "is_zero": data.is_zero,
        "content": data.content,
    }
    ctx.record |= {"late": ctx.now > due.due_at and not due.due_pending, "zero": data.is_zero}


def _mark_missing(ctx: Ctx) -> None:
    ctx.changes["marked_missing_at"] = ctx.now


def _ledger_flow(model: type[Any], steps: tuple[Step, ...], effects: Any, **kw: Any) -> Any:
    return engine.register(
        engine.Workflow(
            model=model,
            steps=steps,
            log=LedgerTransition,
            log_owner=_timeline,
            units=_unit_path,
            can=can,
            effects=effects,
            authorize=_authorize_record,
            **kw,
        )
    )


_PUBLISHED = (frozenset({PublishStatus.DRAFT}), PublishStatus.PUBLISHED)

ROSTER = _ledger_flow(
    DutyRoster,
    (Step("publish", "公布值班表", *_PUBLISHED, ("duty",), system=True),),
    {"publish": _publish_roster},
    concurrent="该值班表已公布",
)
SLOT = _ledger_flow(
    ReceptionSlot,
    (Step("publish", "公布接访日程", *_PUBLISHED, ("lead",), system=True),),
    {"publish": _publish_slot},
)
REPORT = _ledger_flow(
    ReportDue,
    (
        Step(
            "file",
            "报送",
            frozenset({ReportStatus.DUE, ReportStatus.MISSING}),
            ReportStatus.FILED,
            ("duty",),
            input=FileInput,
        ),
        # Only the job marks a report missing (漏报), once its grace has passed.
        Step(
            "mark_missing",
            "记为漏报",
            frozenset({ReportStatus.DUE}),
            ReportStatus.MISSING,
            (),
            system=True,
        ),
    ),
    {"file": _file, "mark_missing": _mark_missing},
    concurrent="该报告已被他人报送，请刷新",
)
