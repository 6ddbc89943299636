"""The transition table of a petition matter, and who may take each step.

:data:`STEPS` is the table (2022 《信访工作条例》, see ``docs/petitions.md`` for the drawn
graph): every step names the statuses it leaves, the one it reaches, the ``org.access``
actions that allow it and the unit those actions are checked on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xinfang.org.access import can
from xinfang.org.models import Unit
from xinfang.petitions.choices import ReviewLevel, Status
from xinfang.petitions.models import Petition, ReviewRequest

__all__ = [
    "STEPS",
    "Step",
    "actor_may",
    "allowed_steps",
    "grant_units",
    "mermaid",
    "review_request",
    "step_between",
]

S = Status


@dataclass(frozen=True)
class Step:
    """One row of the transition table.

    ``actions`` are ``org.access`` actions, any of which allows the step when granted over
    the unit named by ``unit``: "responsible", "chain" (registering or responsible),
    "review" or "rereview" (the reviewing bodies). ``petitioner_may`` marks steps the
    citizen takes through the portal (after proving the query code).
    """

    name: str
    label: str
    sources: frozenset[str]
    target: str
    actions: tuple[str, ...]
    unit: str = "responsible"
    petitioner_may: bool = False
    reason_required: bool = False
    article: str = ""
    fields: tuple[str, ...] = field(default_factory=tuple)


def _s(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


STEPS: tuple[Step, ...] = (
    Step(
        "route",
        "转送/交办",
        _s(S.REGISTERED, S.OBJECTED, S.ROUTED),
        S.ROUTED,
        ("register", "lead"),
        article="第二十二条",
        fields=("to_unit", "mode", "note", "report_due"),
    ),
    Step(
        "object",
        "提出异议(非本机关职权)",
        _s(S.ROUTED),
        S.OBJECTED,
        ("handle",),
        reason_required=True,
        article="第二十三条",
    ),
    Step(
        "accept",
        "受理并书面告知",
        _s(S.REGISTERED, S.ROUTED),
        S.ACCEPTED,
        ("handle",),
        article="第二十三条",
        fields=("notice",),
    ),
    Step(
        "not_accept",
        "不予受理并书面告知",
        _s(S.REGISTERED, S.ROUTED),
        S.NOT_ACCEPTED,
        ("handle",),
        reason_required=True,
        article="第二十三条、第三十一条",
    ),
    Step(
        "link",
        "并入同一事项(不再重复受理)",
        _s(S.REGISTERED, S.ROUTED),
        S.LINKED,
        ("register", "handle"),
        unit="chain",
        reason_required=True,
        article="第十九条",
        fields=("target",),
    ),
    Step(
        "start_handling",
        "开始办理",
        _s(S.ACCEPTED),
        S.IN_HANDLING,
        ("handle",),
        article="第三十二条",
        fields=("handler",),
    ),
    Step(
        "answer",
        "出具信访处理意见书",
        _s(S.ACCEPTED, S.IN_HANDLING),
        S.ANSWERED,
        ("lead",),
        article="第三十二条、第三十四条",
        fields=("outcome", "request", "facts", "reasons", "legal_basis", "review_route"),
    ),
    Step(
        "evaluate",
        "回访评价",
        _s(S.ANSWERED),
        S.EVALUATED,
        ("register", "handle"),
        unit="chain",
        petitioner_may=True,
        article="第二十一条",
        fields=("rating", "method", "note"),
    ),
    Step(
        "close",
        "办结",
        _s(S.ANSWERED, S.EVALUATED, S.REVIEWED),
        S.CLOSED,
        ("register", "handle"),
        unit="chain",
    ),
    Step(
        "request_review",
        "申请复查",
        _s(S.ANSWERED, S.EVALUATED, S.CLOSED),
        S.REVIEW_REQUESTED,
        ("register", "handle"),
        unit="chain",
        petitioner_may=True,
        reason_required=True,
        article="第三十五条",
        fields=("requested_on", "reviewing_unit"),
    ),
    Step(
        "review_opinion",
        "出具复查意见",
        _s(S.REVIEW_REQUESTED),
        S.REVIEWED,
        ("lead",),
        unit="review",
        article="第三十五条",
        fields=("outcome", "request", "facts", "reasons", "legal_basis", "review_route"),
    ),
    Step(
        "request_rereview",
        "申请复核",
        _s(S.REVIEWED, S.CLOSED),
        S.REREVIEW_REQUESTED,
        ("register", "handle"),
        unit="chain",
        petitioner_may=True,
        reason_required=True,
        article="第三十六条",
        fields=("requested_on", "reviewing_unit"),
    ),
    Step(
        "rereview_opinion",
        "出具复核意见(终结)",
        _s(S.REREVIEW_REQUESTED),
        S.FINAL,
        ("lead",),
        unit="rereview",
        article="第三十六条",
        fields=("outcome", "request", "facts", "reasons", "legal_basis"),
    ),
)


def step_between(source: str, target: str) -> Step | None:
    for step in STEPS:
        if step.target == target and source in step.sources:
            return step
    return None


def mermaid() -> str:
    """The state graph of :data:`STEPS` as a Mermaid diagram (docs/petitions.md)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.REGISTERED}"]
    for step in STEPS:
        for source in sorted(step.sources):
            lines.append(f"    {source} --> {step.target}: {step.name}")
    for final in (S.CLOSED, S.FINAL, S.NOT_ACCEPTED, S.LINKED):
        lines.append(f"    {final} --> [*]")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# The units the grants are checked on


def review_request(petition: Petition, level: str) -> ReviewRequest | None:
    """The matter's request for review (复查) or re-review (复核), with its reviewing unit."""
    return (
        ReviewRequest.objects.select_related("reviewing_unit")
        .filter(petition=petition, level=level)
        .first()
    )


def grant_units(petition: Petition, step: Step) -> list[Unit]:
    """The units over which a grant allows ``step`` on ``petition``."""
    if step.unit == "chain":
        return [petition.registering_unit, petition.responsible_unit]
    if step.unit in ("review", "rereview"):
        level = ReviewLevel.REVIEW if step.unit == "review" else ReviewLevel.REREVIEW
        request = review_request(petition, level)
        return [request.reviewing_unit] if request else []
    return [petition.responsible_unit]


def actor_may(actor: Any, petition: Petition, step: Step) -> bool:
    """Does ``actor``'s grant allow ``step`` on ``petition`` (ignoring guards)?"""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if getattr(actor, "is_citizen", False):
        return False
    if not Petition.objects.restrict(actor, "view").filter(pk=petition.pk).exists():
        return False
    return any(
        can(actor, action, unit.path)
        for unit in grant_units(petition, step)
        for action in step.actions
    )


def allowed_steps(petition: Petition, actor: Any) -> list[Step]:
    """Steps from the current status the actor's grants allow (guards not yet run)."""
    return [
        step
        for step in STEPS
        if petition.status in step.sources and actor_may(actor, petition, step)
    ]
