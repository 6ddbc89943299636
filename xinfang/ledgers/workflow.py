"""The dispute ledger's states and the one function that moves a dispute between them.

::

    registered ──start──▶ in_progress ──resolve──▶ resolved ──verify──▶ closed (化解销号)
        └─────────────resolve──────────────────────▲    │
                                   in_progress ◀──reject┘

Close-out needs verification by a second person: whoever verifies (or rejects) cannot be
the person who recorded the resolution. Every step is a compare-and-swap on ``status``
and is written to ``DisputeTransition`` and the audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.errors import ConcurrentChange, NotFoundOrForbidden, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.ledgers.choices import DisputeStatus as S
from xinfang.ledgers.errors import VerifierConflict
from xinfang.ledgers.models import Dispute, DisputeTransition
from xinfang.org.access import can

__all__ = ["TRANSITIONS", "Step", "allowed_steps", "transition"]


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    source: tuple[str, ...]
    target: str
    actions: tuple[str, ...]  # any of these grants on the dispute's unit allows the step
    needs_reason: bool = False
    second_person: bool = False


TRANSITIONS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("start", "开始化解", (S.REGISTERED,), S.IN_PROGRESS, ("handle",)),
        Step(
            "resolve",
            "登记化解结果",
            (S.REGISTERED, S.IN_PROGRESS),
            S.RESOLVED,
            ("handle",),
            needs_reason=True,
        ),
        Step(
            "verify",
            "核验销号",
            (S.RESOLVED,),
            S.CLOSED,
            ("handle", "supervise"),
            second_person=True,
        ),
        Step(
            "reject",
            "核验不通过,退回",
            (S.RESOLVED,),
            S.IN_PROGRESS,
            ("handle", "supervise"),
            needs_reason=True,
            second_person=True,
        ),
    )
}


def _may(actor: Any, step: Step, dispute: Dispute) -> bool:
    return actor is None or any(can(actor, a, dispute.unit.path) for a in step.actions)


def allowed_steps(dispute: Dispute, actor: Any) -> list[Step]:
    """Steps ``actor`` may take now (for buttons; ``transition`` checks again)."""
    return [
        step
        for step in TRANSITIONS.values()
        if dispute.status in step.source
        and _may(actor, step, dispute)
        and not (step.second_person and actor is not None and dispute.resolved_by_id == actor.pk)
    ]


@transaction.atomic
def transition(dispute: Dispute, step_name: str, *, actor: Any, reason: str = "") -> Dispute:
    """Take ``step_name`` on ``dispute``; compare-and-swap on the current status."""
    step = TRANSITIONS.get(step_name)
    if step is None:
        raise TransitionNotAllowed(f"未知的操作:{step_name}")
    if not _may(actor, step, dispute):
        raise NotFoundOrForbidden("该纠纷不存在或您无权操作")
    if dispute.status not in step.source:
        raise TransitionNotAllowed(
            f"当前状态为“{dispute.get_status_display()}”,不能执行“{step.label}”"
        )
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise TransitionNotAllowed(f"“{step.label}”须填写说明")
    if step.second_person and (actor is None or dispute.resolved_by_id == actor.pk):
        raise VerifierConflict("化解销号须由化解人以外的第二人核验,化解人本人不能核验")
    now = timezone.now()
    changes: dict[str, Any] = {"status": step.target}
    if step.name == "resolve":
        changes |= {"resolved_at": now, "resolved_by": actor, "resolution_note": reason}
    elif step.name == "verify":
        changes |= {"verified_at": now, "verified_by": actor, "verification_note": reason}
    elif step.name == "reject":
        changes |= {"verification_note": reason}
    old = dispute.status
    updated = Dispute.objects.filter(pk=dispute.pk, status=old).update(**changes)
    if not updated:
        raise ConcurrentChange("该纠纷已被他人处理,请刷新后重试")
    for field, value in changes.items():
        setattr(dispute, field, value)
    DisputeTransition.objects.create(
        dispute=dispute, from_status=old, to_status=step.target, actor=actor, reason=reason, at=now
    )
    audit.record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=dispute,
        before={"status": old},
        after={"status": step.target},
        detail={"step": step.name, "reason": reason},
    )
    return dispute
