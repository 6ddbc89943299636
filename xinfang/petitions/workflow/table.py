"""The transition table of a petition matter, and who may take each step.

:data:`STEPS` is the table (2022 《信访工作条例》, see ``docs/petitions.md`` for the drawn
graph): every step names the statuses it leaves, the one it reaches, the ``org.access``
actions that allow it and the unit those actions are checked on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from django.db import models
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from xinfang.core import workflow as engine
from xinfang.core.api_schema import Day, refuse_nul
from xinfang.org.access import can
from xinfang.org.models import Unit
from xinfang.petitions.choices import (
    Diversion,
    HandlingProcedure,
    Outcome,
    Rating,
    ReviewLevel,
    RouteMode,
    Stage,
    Status,
    SuggestionOutcome,
)
from xinfang.petitions.models import Petition, Recusal, ReviewRequest

__all__ = [
    "IN_STATE_STEPS",
    "STEPS",
    "AcceptInput",
    "AnswerInput",
    "DraftOpinionInput",
    "EvaluateInput",
    "LinkInput",
    "NoInput",
    "NotAcceptInput",
    "OpinionInput",
    "ReviewRequestInput",
    "RouteInput",
    "StartHandlingInput",
    "Step",
    "StepInput",
    "actor_may",
    "allowed_steps",
    "grant_units",
    "is_recused",
    "mermaid",
    "review_request",
    "step_between",
]

S = Status

# ---------------------------------------------------------------------------------------
# The typed input of each step. A step receives exactly its own fields: unknown keys are
# refused, so no request can reach a parameter of ``transition`` it was not meant to set
# (issue 10, finding 1: ``"as_petitioner": true`` in an API payload skipped the grant).

PK_MAX = 2**31 - 1  # the largest integer key both databases accept in a filter
TEXT_MAX = 10_000


def _pk_of(value: Any) -> Any:
    """Python callers pass model instances, requests pass ids; the input keeps the id."""
    return value.pk if isinstance(value, models.Model) else value


Pk = Annotated[int, BeforeValidator(_pk_of), Field(ge=1, le=PK_MAX)]
Text = Annotated[str, Field(max_length=TEXT_MAX)]


class StepInput(BaseModel):
    """Base of the step inputs: frozen, unknown keys refused, strings without NUL (which
    PostgreSQL cannot store).

    Every step may carry its real date (``occurred_on``) with a reason, so a paper backlog
    is entered as it happened: the step's dates and the due dates it starts are computed
    from that day (checked in :class:`~.steps.Ctx`: never in the future, never before the
    matter's previous step; recorded on the timeline and in the audit entry).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    occurred_on: Day | None = Field(None, description="实际办理日期（补录纸质积案时填写）")
    occurred_reason: Text = Field("", description="按实际日期补录的理由")

    _no_nul = field_validator("*")(refuse_nul)


class NoInput(StepInput):
    """A step that takes nothing beyond the reason."""


class RouteInput(StepInput):
    to_unit: Pk = Field(description="转至单位的 id")
    mode: RouteMode = RouteMode.FORWARD
    note: Text = ""
    report_due: Day | None = Field(None, description="交办时要求报结的日期")


class AcceptInput(StepInput):
    notice: Text = ""
    procedure: HandlingProcedure = Field(
        HandlingProcedure.PETITION, description="办理程序（第三十一条；60日期限只适用于第六项）"
    )


class NotAcceptInput(StepInput):
    """Not accepted (Art. 31 (一)—(三)): the statutory procedure the matter is diverted to,
    the body that decides it and its time limit, printed in the non-acceptance notice."""

    diversion: Diversion | None = Field(None, description="导入的法定程序")
    diversion_body: Annotated[str, Field(max_length=200)] = ""
    diversion_time_limit: Annotated[str, Field(max_length=200)] = ""


class LinkInput(StepInput):
    target: Pk = Field(description="并入的同一事项的 id")


class StartHandlingInput(StepInput):
    handler: Pk | None = Field(None, description="承办人的 id，默认本人")


class OpinionInput(StepInput):
    """A final opinion (复核意见): its content is checked by the step's guard, which cites
    条例 Art. 32; its review route is fixed (Art. 36: final)."""

    outcome: Outcome | None = None
    request: Text = ""
    facts: Text = ""
    reasons: Text = ""
    legal_basis: Text = ""


class AnswerInput(OpinionInput):
    """An opinion that can be contested (处理意见、复查意见), with its review route."""

    review_route: Annotated[str, Field(max_length=200)] = ""  # the column's length
    suggestion_outcome: SuggestionOutcome | None = Field(
        None, description="建议意见类事项的采纳情况（第二十九条）"
    )


class EvaluateInput(StepInput):
    rating: Rating | None = None
    note: Text = ""


class ReviewRequestInput(StepInput):
    requested_on: Day | None = Field(None, description="申请日期，默认今天")
    reviewing_unit: Pk | None = Field(None, description="复查（复核）机关的 id，默认上一级")


@dataclass(frozen=True)
class Step(engine.Step):
    """One row of the transition table (the core engine's step, plus where its grant is
    checked and whether it is the petitioner's own act).

    ``actions`` are ``org.access`` actions, any of which allows the step when granted over
    the unit named by ``unit``: "responsible", "chain" (registering or responsible),
    "review" or "rereview" (the reviewing bodies). ``petitioner_only`` marks the steps
    that are the petitioner's own acts (rating the answer, Art. 21; requesting review and
    re-review, Arts. 35–36): no staff grant allows them, only a
    :class:`~.proof.PetitionerProof` does. ``input`` is the step's typed payload.
    """

    unit: str = "responsible"
    petitioner_only: bool = False
    input: type[StepInput] = NoInput

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the step's input fields (the staff form shows these)."""
        return tuple(self.input.model_fields)


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
        input=RouteInput,
    ),
    Step(
        "object",
        "提出异议（非本机关职权）",
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
        input=AcceptInput,
    ),
    Step(
        "not_accept",
        "不予受理并书面告知",
        _s(S.REGISTERED, S.ROUTED),
        S.NOT_ACCEPTED,
        ("handle",),
        reason_required=True,
        article="第二十三条、第三十一条",
        input=NotAcceptInput,
    ),
    Step(
        "link",
        "并入同一事项（不再重复受理）",
        _s(S.REGISTERED, S.ROUTED),
        S.LINKED,
        ("register", "handle"),
        unit="chain",
        reason_required=True,
        article="第十九条",
        input=LinkInput,
    ),
    Step(
        "start_handling",
        "开始办理",
        _s(S.ACCEPTED),
        S.IN_HANDLING,
        ("handle",),
        article="第三十二条",
        input=StartHandlingInput,
    ),
    Step(
        "answer",
        "出具信访处理意见书",
        _s(S.ACCEPTED, S.IN_HANDLING),
        S.ANSWERED,
        ("lead",),
        article="第三十二条、第三十四条",
        input=AnswerInput,
    ),
    Step(
        "evaluate",
        "回访评价",
        _s(S.ANSWERED),
        S.EVALUATED,
        (),
        petitioner_only=True,
        article="第二十一条",
        input=EvaluateInput,
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
        (),
        petitioner_only=True,
        reason_required=True,
        article="第三十五条",
        input=ReviewRequestInput,
    ),
    Step(
        "review_opinion",
        "出具复查意见",
        _s(S.REVIEW_REQUESTED),
        S.REVIEWED,
        ("lead",),
        unit="review",
        article="第三十五条",
        input=AnswerInput,
    ),
    Step(
        "request_rereview",
        "申请复核",
        _s(S.REVIEWED, S.CLOSED),
        S.REREVIEW_REQUESTED,
        (),
        petitioner_only=True,
        reason_required=True,
        article="第三十六条",
        input=ReviewRequestInput,
    ),
    Step(
        "rereview_opinion",
        "出具复核意见（终结）",
        _s(S.REREVIEW_REQUESTED),
        S.FINAL,
        ("lead",),
        unit="rereview",
        article="第三十六条",
        input=OpinionInput,
    ),
    # Art. 23: the sending office decides an objection on its own clock — it agrees and
    # re-routes (the route step from OBJECTED) or rejects it with reasons (this step).
    Step(
        "reject_objection",
        "驳回异议（写明理由，退回原受理单位）",
        _s(S.OBJECTED),
        S.ROUTED,
        ("register", "lead"),
        reason_required=True,
        article="第二十三条",
    ),
)


# ---------------------------------------------------------------------------------------
# In-state steps: actions that leave the status as it is but change the matter (and its
# clock) under the same compare-and-swap, each a row of the timeline. Their services in
# ``petitions/services.py`` run the guards, with the rule each cites, before the step.


class ExtendInput(StepInput):
    extension_days: int = Field(ge=1, le=30)  # 条例 Art. 34: at most 30 days, once
    late_reason: Text = ""  # Art. 34: approved after the period ran out (flagged)


class HearingStartInput(StepInput):
    stage: Stage
    started_on: Day


class HearingEndInput(StepInput):
    stage: Stage
    paused_days: int = Field(ge=0, le=3660)


class DeliveryInput(StepInput):
    anchor: Literal["answer_delivered_on", "review_delivered_on"]
    delivered_on: Day


class CompletionReportInput(StepInput):
    to_unit: Pk


class DraftOpinionInput(AnswerInput):
    """A handler's draft of the stage's written opinion (the leader approves it)."""


ANY = frozenset(S.values)
_HEARING = _s(S.ACCEPTED, S.IN_HANDLING, S.REVIEW_REQUESTED, S.REREVIEW_REQUESTED)

IN_STATE_STEPS: tuple[Step, ...] = (
    Step(
        "extend",
        "延长办理期限",
        _s(S.ACCEPTED, S.IN_HANDLING),
        engine.STAY,
        ("lead",),
        article="第三十四条",
        input=ExtendInput,
    ),
    Step(
        "hearing_start",
        "组织听证",
        _HEARING,
        engine.STAY,
        ("lead",),
        unit="stage",
        article="第三十六条",
        input=HearingStartInput,
    ),
    # A hearing ends whatever the matter did meanwhile (its stage is the hearing's own).
    Step(
        "hearing_end",
        "听证结束",
        ANY,
        engine.STAY,
        ("lead",),
        unit="bodies",
        article="第三十六条",
        input=HearingEndInput,
    ),
    Step(
        "delivery",
        "登记送达",
        ANY,
        engine.STAY,
        ("handle",),
        unit="bodies",
        article="第三十五条、第三十六条",
        input=DeliveryInput,
    ),
    # Two persons sign an opinion: the stage's handler drafts it, its leader returns it with
    # a comment or approves it by issuing the opinion (the answer and opinion steps).
    Step(
        "draft_opinion",
        "起草意见书（送领导审批）",
        _HEARING,
        engine.STAY,
        ("handle",),
        unit="stage",
        article="第三十二条",
        input=DraftOpinionInput,
    ),
    Step(
        "return_opinion",
        "退回意见书草稿",
        _HEARING,
        engine.STAY,
        ("lead",),
        unit="stage",
        reason_required=True,
        article="第三十二条",
    ),
    Step(
        "completion_report",
        "报送结案报告",
        ANY,
        engine.STAY,
        ("lead",),
        input=CompletionReportInput,
    ),
)


def step_between(source: str, target: str, name: str | None = None) -> Step | None:
    """The step from ``source`` to ``target``; ``name`` picks one where two steps share
    them (an objection is agreed by re-routing, or rejected: both reach "routed")."""
    for step in STEPS:
        if step.target == target and source in step.sources and name in (None, step.name):
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


_STAGE_UNIT: dict[str, str] = {S.REVIEW_REQUESTED: "review", S.REREVIEW_REQUESTED: "rereview"}


def _stage_unit_name(status: str) -> str:
    return _STAGE_UNIT.get(status, "responsible")


def grant_units(petition: Petition, step: Step) -> list[Unit]:
    """The units over which a grant allows ``step`` on ``petition``: "stage" is the body of
    the current stage (the responsible unit, or the reviewing body of a requested review),
    "bodies" any body that has answered or reviews the matter (the service names which)."""
    if step.unit == "stage":
        return grant_units(petition, replace(step, unit=_stage_unit_name(petition.status)))
    if step.unit == "bodies":
        reviewing = ReviewRequest.objects.filter(petition=petition).select_related("reviewing_unit")
        return [petition.responsible_unit, *(r.reviewing_unit for r in reviewing)]
    if step.unit == "chain":
        return [petition.registering_unit, petition.responsible_unit]
    if step.unit in ("review", "rereview"):
        level = ReviewLevel.REVIEW if step.unit == "review" else ReviewLevel.REREVIEW
        request = review_request(petition, level)
        return [request.reviewing_unit] if request else []
    return [petition.responsible_unit]


def is_recused(user: Any, petition: Petition) -> bool:
    """Has ``user`` declared, or been recorded as having, an interest in the matter (回避)?"""
    return (
        bool(getattr(user, "pk", None))
        and Recusal.objects.filter(petition=petition, user_id=user.pk).exists()
    )


def actor_may(actor: Any, petition: Petition, step: Step) -> bool:
    """Does ``actor``'s grant allow ``step`` on ``petition`` (ignoring guards)?"""
    if step.petitioner_only:
        return False  # the petitioner's own act: no grant allows it (see .proof)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if getattr(actor, "is_citizen", False):
        return False
    if not Petition.objects.restrict(actor, "view").filter(pk=petition.pk).exists():
        return False
    if is_recused(actor, petition):
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
