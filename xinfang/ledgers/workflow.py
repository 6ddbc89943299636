"""The dispute ledger's workflow, declared on the core engine (:mod:`xinfang.core.workflow`).

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
from xinfang.core.workflow import Ctx, Step
from xinfang.ledgers.choices import DisputeStatus as S
from xinfang.ledgers.errors import VerifierConflict
from xinfang.ledgers.models import Dispute, DisputeTransition
from xinfang.org.access import can

__all__ = ["TRANSITIONS", "WORKFLOW", "Step", "allowed_steps", "transition"]

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
            "核验不通过,退回",
            frozenset({S.RESOLVED}),
            S.IN_PROGRESS,
            ("handle", "supervise"),
            reason_required=True,
        ),
    )
}


def _second_person(ctx: Ctx) -> None:
    if ctx.actor.pk is None or ctx.obj.resolved_by_id == ctx.actor.pk:
        raise VerifierConflict("化解销号须由化解人以外的第二人核验,化解人本人不能核验")


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
        concurrent="该纠纷已被他人处理,请刷新后重试",
        reason_missing="“{label}”须填写说明",
    )
)


def allowed_steps(dispute: Dispute, actor: Any) -> list[Step]:
    """Steps ``actor`` may take now (for buttons; ``transition`` checks again)."""
    return [
        step
        for step in engine.allowed_steps(dispute, actor)
        if not (step.name in SECOND_PERSON and dispute.resolved_by_id == actor.pk)
    ]


def transition(dispute: Dispute, step_name: str, *, actor: Any, reason: str = "") -> Dispute:
    """Take ``step_name`` on ``dispute`` (the core engine's ``transition``)."""
    result: Dispute = engine.transition(dispute, step_name, actor=actor, reason=reason)
    return result
