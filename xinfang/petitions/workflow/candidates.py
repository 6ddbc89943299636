"""The same-matter proposals' workflow (Art. 19 of the 条例: one matter is handled once).

A proposal found on intake is decided once by whoever registers or handles the new matter:
``link`` (proposed → linked) or ``dismiss`` (proposed → dismissed). The decision is stamped
on the proposal (``decided_by``, ``decided_at``) and recorded in the audit chain against the
matter it belongs to; linking the matters themselves is :mod:`xinfang.petitions.linking`.
"""

from __future__ import annotations

from typing import Any

from xinfang.core import audit
from xinfang.core import workflow as engine
from xinfang.core.errors import TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.core.workflow import Ctx, Step
from xinfang.org.access import can
from xinfang.petitions.choices import CandidateStatus
from xinfang.petitions.models import Petition, SameMatterCandidate

__all__ = ["CANDIDATES", "LinkDecision"]

_PROPOSED = frozenset({CandidateStatus.PROPOSED})


class LinkDecision(engine.NoInput):
    """What the audit entry of a link names: the earlier matter and the group."""

    linked_with: int
    group: int


def _authorize(actor: Any, candidate: SameMatterCandidate, step: Step) -> None:
    petition = candidate.petition
    if not Petition.objects.restrict(actor, "view").filter(pk=petition.pk).exists() or not (
        CANDIDATES.may(actor, candidate, step)
    ):
        raise TransitionNotAllowed("您没有处理该事项的权限")


def _units(candidate: SameMatterCandidate, step: Step) -> tuple[str, ...]:
    petition = candidate.petition
    return (petition.registering_unit.path, petition.responsible_unit.path)


def _decided(ctx: Ctx) -> None:
    ctx.changes |= {"decided_by": ctx.actor, "decided_at": ctx.now}
    ctx.record |= ctx.input.model_dump()


def _record(
    candidate: SameMatterCandidate, *, name: str, actor: Any, payload: dict[str, Any], **_: Any
) -> None:
    """The audit entry on the matter (the proposal has no timeline of its own)."""
    detail = payload if name == "link" else {"dismissed_candidate": candidate.candidate_id}
    audit.record(actor=actor, action=AuditAction.CHANGE, obj=candidate.petition, detail=detail)


CANDIDATES = engine.register(
    engine.Workflow(
        model=SameMatterCandidate,
        steps=(
            Step(
                "link",
                "关联为同一事项",
                _PROPOSED,
                CandidateStatus.LINKED,
                ("register", "handle"),
                article="条例第十九条",
                input=LinkDecision,
            ),
            Step(
                "dismiss",
                "排除",
                _PROPOSED,
                CandidateStatus.DISMISSED,
                ("register", "handle"),
                article="条例第十九条",
            ),
        ),
        log=None,
        units=_units,
        can=can,
        effects={"link": _decided, "dismiss": _decided},
        authorize=_authorize,
        record=_record,
    )
)
