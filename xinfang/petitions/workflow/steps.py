"""Guards and effects of the workflow steps, one per step of :data:`~.table.STEPS`.

A step's effect runs inside :func:`~.transitions.transition` on a :class:`Ctx`: its guards
raise :class:`~xinfang.petitions.errors.GuardFailed` with a Chinese message citing the rule
of law; it fills ``ctx.changes`` (the columns written with the status), ``ctx.record`` (the
timeline payload) and ``ctx.after`` (rows created once the compare-and-swap has won).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

from django.utils import timezone

from xinfang.core import workflow as engine
from xinfang.org.access import can
from xinfang.org.models import Unit, User
from xinfang.petitions.choices import (
    CandidateStatus,
    Channel,
    Diversion,
    HandlingProcedure,
    Kind,
    Outcome,
    PetitionerRole,
    Rating,
    ReviewLevel,
    RouteMode,
    Stage,
    Status,
    SuggestionOutcome,
)
from xinfang.petitions.confidentiality import check_may_receive
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import (
    Answer,
    CoHandling,
    OpinionDraft,
    Petition,
    PetitionReach,
    ReturnVisit,
    ReviewRequest,
    RouteHandover,
    SameMatterCandidate,
    Transition,
    WindowCheck,
)
from xinfang.petitions.units import highest_level, next_body_up, territorial_level
from xinfang.petitions.workflow.table import (
    AcceptInput,
    AnswerInput,
    CompletionReportInput,
    DeliveryInput,
    DraftOpinionInput,
    EvaluateInput,
    ExtendInput,
    HearingEndInput,
    HearingStartInput,
    LinkInput,
    NotAcceptInput,
    OpinionInput,
    ReviewRequestInput,
    RouteInput,
    StartHandlingInput,
    StepInput,
    is_recused,
    review_request,
)

__all__ = [
    "EFFECTS",
    "RETURN_VISIT_COSIGNERS",
    "Ctx",
    "last_step_on",
    "open_draft",
    "opinion_stage",
    "return_visit_required",
]

S = Status
T = TypeVar("T")
In = TypeVar("In", bound=StepInput)


def last_step_on(petition: Petition) -> date:
    """The day of the matter's latest step: its real date where one was given, else the
    day it was recorded; registration counts from the day the matter was received."""
    latest = petition.received_on
    for name, data, at in Transition.objects.filter(petition=petition).values_list(
        "step", "data", "at"
    ):
        if name == "register":
            continue
        given = (data or {}).get("occurred_on")
        day = date.fromisoformat(given) if given else timezone.localdate(at)
        latest = max(latest, day)
    return latest


@dataclass
class Ctx(engine.Ctx):
    """The core engine's context, as the petitions' effects read it.

    ``today`` is the step's date: the real date given for a paper backlog
    (``occurred_on``), else the calendar day; ``now`` stays the moment of recording.
    """

    def __post_init__(self) -> None:
        real_date = getattr(self.input, "occurred_on", None)
        if real_date is None:
            return
        why = str(getattr(self.input, "occurred_reason", "")).strip()
        _require(
            not getattr(self.step, "petitioner_only", False),
            "信访人本人的申请以提交之日为准，不能补录日期",
        )
        _require(bool(why), "按实际日期补录须写明理由")
        _require(real_date <= timezone.localdate(self.now), "实际办理日期不能晚于今天")
        previous = last_step_on(self.petition)
        _require(real_date >= previous, f"实际办理日期不能早于上一环节的日期（{previous}）")
        self.today = real_date
        self.record |= {"occurred_on": real_date.isoformat(), "occurred_reason": why}

    @property
    def petition(self) -> Petition:
        petition: Petition = self.obj
        return petition

    def data(self, kind: type[In]) -> In:
        """The input as the step's model (``transition`` has validated it against the
        step's ``input``)."""
        if not isinstance(self.input, kind):
            raise TypeError(f"{self.step.name} takes {kind.__name__}")
        return cast(In, self.input)


# ---------------------------------------------------------------------------------------
# Guards and effects, one per step. Guards raise GuardFailed with a Chinese message.


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise GuardFailed(message)


def _required(value: T | None, message: str) -> T:
    """``value`` itself, or ``GuardFailed(message)`` when it is missing."""
    if value is None:
        raise GuardFailed(message)
    return value


def _unit(pk: int) -> Unit:
    try:
        return Unit.objects.get(pk=pk, is_active=True)
    except Unit.DoesNotExist as exc:
        raise GuardFailed("请选择有效的单位") from exc


def _add_reach(petition: Petition, unit: Unit) -> None:
    PetitionReach.objects.get_or_create(
        petition=petition, unit=unit, defaults={"unit_path": unit.path}
    )


def _level_after(petition: Petition, unit: Unit) -> str:
    return highest_level([petition.level_reached, territorial_level(unit)])


def _pending_objection(petition: Petition) -> RouteHandover | None:
    """The hand-over whose receiving body objected and whose objection is undecided."""
    return (
        RouteHandover.objects.select_related("to_unit")
        .filter(petition=petition, objected_on__isnull=False, objection_decision="")
        .order_by("-pk")
        .first()
    )


def _route(ctx: Ctx) -> None:
    p = ctx.petition
    data = ctx.data(RouteInput)
    to_unit = _unit(data.to_unit)
    _require(to_unit.pk != p.responsible_unit_id, "不能转送给本单位")
    check_may_receive(p, to_unit)
    objection = _pending_objection(p) if p.status == S.OBJECTED else None
    if objection is not None:
        # Art. 23: agreeing with an objection means routing to the competent body; sending
        # the matter back to the objecting body is a rejection, which must give reasons.
        _require(
            to_unit.pk != objection.to_unit_id,
            "退回提出异议的单位须以“驳回异议”写明理由（《信访工作条例》第二十三条）",
        )
        agreed = objection.pk

        def record_agreed() -> None:
            RouteHandover.objects.filter(pk=agreed).update(
                objection_decision="agreed", objection_decided_on=ctx.today
            )

        ctx.after.append(record_agreed)
    mode = RouteMode(data.mode).value
    report_due = data.report_due
    _require(report_due is None or report_due >= ctx.today, "要求报结日期不能早于今天")
    from_unit = p.responsible_unit
    ctx.changes.update(
        responsible_unit=to_unit,
        routed_on=ctx.today,
        handler=None,
        level_reached=_level_after(p, to_unit),
    )
    if mode == RouteMode.ASSIGN:
        # 交办: the assigning office expects a completion report (结案报告) by report_due.
        ctx.changes["report_due_given"] = report_due
        ctx.changes["report_required"] = True
    ctx.record.update(to_unit=to_unit.pk, mode=mode)

    def after() -> None:
        RouteHandover.objects.create(
            petition=p,
            mode=mode,
            from_unit=from_unit,
            to_unit=to_unit,
            routed_by=ctx.actor if isinstance(ctx.actor, User) else None,
            routed_on=ctx.today,
            note=data.note,
            report_due=report_due if mode == RouteMode.ASSIGN else None,
        )
        _add_reach(p, to_unit)

    ctx.after.append(after)


def _last_handover(petition: Petition) -> RouteHandover | None:
    return (
        RouteHandover.objects.select_related("from_unit")
        .filter(petition=petition, to_unit=petition.responsible_unit)
        .order_by("-routed_on", "-pk")
        .first()
    )


def _object(ctx: Ctx) -> None:
    p = ctx.petition
    handover = _required(_last_handover(p), "该事项不是转送交办而来，无需提出异议")
    # Art. 23 gives one objection per hand-over: once the sending office has rejected it with
    # reasons, the receiving body handles the matter; objecting again would return it unheard.
    _require(
        handover.objected_on is None,
        "对本次转送交办的异议已被驳回，不能再次提出异议（《信访工作条例》第二十三条）",
    )
    # Art. 23: a receiving body that is not competent objects within 5 working days.
    _require(
        p.objection_due is None or ctx.today <= p.objection_due,
        f"已超过异议期限（{p.objection_due}），不能再提出异议（《信访工作条例》第二十三条）",
    )
    _check_window_later(ctx, "objection_due", ctx.today)
    # The sending office's decision runs on its own clock from this day (Art. 23).
    ctx.changes.update(responsible_unit=handover.from_unit, handler=None, objected_on=ctx.today)

    def after() -> None:
        RouteHandover.objects.filter(pk=handover.pk).update(
            objected_on=ctx.today, objection_reason=ctx.reason
        )

    ctx.after.append(after)


def _reject_objection(ctx: Ctx) -> None:
    p = ctx.petition
    objection = _required(_pending_objection(p), "没有待处理的异议")
    # Art. 23: the objection is rejected with reasons; the matter goes back to the body
    # that objected, which cannot object to the same hand-over again (see _object).
    check_may_receive(p, objection.to_unit)
    ctx.changes.update(responsible_unit=objection.to_unit, handler=None)
    ctx.record["to_unit"] = objection.to_unit_id

    def after() -> None:
        RouteHandover.objects.filter(pk=objection.pk).update(
            objection_decision="rejected",
            objection_decided_on=ctx.today,
            objection_decision_reason=ctx.reason,
        )

    ctx.after.append(after)


def _not_after_final(p: Petition) -> None:
    _require(
        not p.after_final,
        "该事项为复核终结后以同一事实和理由再次提出，不再受理（《信访工作条例》第三十六条）",
    )
    _require(
        not SameMatterCandidate.objects.filter(
            petition=p, after_final=True, status=CandidateStatus.PROPOSED
        ).exists(),
        "该信访人曾就类似请求获得复核终结意见：请先确认是否为同一事实和理由"
        "（《信访工作条例》第三十六条）",
    )


def _accept(ctx: Ctx) -> None:
    p = ctx.petition
    _not_after_final(p)
    data = ctx.data(AcceptInput)
    procedure = HandlingProcedure(data.procedure).value
    # Arts. 20, 22, 28: a 涉法涉诉 matter goes to the 政法 body's procedure; it is never
    # accepted as an ordinary petition handled under Art. 31 (六).
    _require(
        not (p.litigation_related and procedure == HandlingProcedure.PETITION),
        "涉法涉诉事项不按普通信访程序受理，应导入政法机关依法处理的程序"
        "（《信访工作条例》第二十条、第二十二条、第二十八条）",
    )
    ctx.changes.update(accepted_on=ctx.today, handling_procedure=procedure)
    ctx.record |= {"notice": data.notice, "procedure": procedure}


def _not_accept(ctx: Ctx) -> None:
    data = ctx.data(NotAcceptInput)
    diversion = Diversion(data.diversion).value if data.diversion else ""
    if diversion:
        # Art. 31 (一)—(三): the notice names the procedure, the body and its time limit.
        _require(
            bool(data.diversion_body.strip()),
            "请写明导入程序的受理机关（《信访工作条例》第三十一条）",
        )
        _require(
            bool(data.diversion_time_limit.strip()),
            "请写明导入程序的申请期限（《信访工作条例》第三十一条）",
        )
    ctx.changes.update(
        closed_on=ctx.today,
        diversion=diversion,
        diversion_body=data.diversion_body.strip(),
        diversion_time_limit=data.diversion_time_limit.strip(),
    )
    if diversion:
        ctx.record["diversion"] = diversion


def _link(ctx: Ctx) -> None:
    # Only a matter the actor may see can be the one this is merged into.
    target = _required(
        Petition.objects.restrict(ctx.actor, "view").filter(pk=ctx.data(LinkInput).target).first(),
        "请选择要并入的事项",
    )
    _require(target.pk != ctx.petition.pk, "不能与自身关联")
    ctx.changes["closed_on"] = ctx.today
    ctx.record["target"] = target.pk


def _start_handling(ctx: Ctx) -> None:
    chosen = ctx.data(StartHandlingInput).handler
    found = User.objects.filter(pk=chosen, is_active=True).first() if chosen else ctx.actor
    if not isinstance(found, User):
        raise GuardFailed("请选择承办人")
    handler: User = found
    _require(
        not is_recused(handler, ctx.petition),
        "该工作人员已就该事项回避，不能承办（《信访工作条例》第二十八条）",
    )
    _require(
        can(handler, "handle", ctx.petition.responsible_unit.path),
        "承办人须为责任单位有办理权限的工作人员",
    )
    ctx.changes["handler"] = handler
    ctx.record["handler"] = handler.pk


def _answer_fields(ctx: Ctx) -> dict[str, Any]:
    p = ctx.data(OpinionInput)
    outcome = _required(p.outcome, "请选择处理意见：支持、解释说明或不予支持（第三十二条）")
    for value, label in ((p.facts, "事实"), (p.reasons, "理由"), (p.legal_basis, "依据")):
        _require(bool(value.strip()), f"答复意见须写明{label}（第三十二条）")
    return {
        "outcome": Outcome(outcome).value,
        "request": p.request,
        "facts": p.facts,
        "reasons": p.reasons,
        "legal_basis": p.legal_basis,
    }


_OPINION_STAGE: dict[str, str] = {
    S.ACCEPTED: Stage.HANDLING,
    S.IN_HANDLING: Stage.HANDLING,
    S.REVIEW_REQUESTED: Stage.REVIEW,
    S.REREVIEW_REQUESTED: Stage.REREVIEW,
}


def opinion_stage(petition: Petition) -> str | None:
    """The stage whose written opinion is due in the matter's status, if any."""
    return _OPINION_STAGE.get(petition.status)


def open_draft(petition: Petition, stage: str) -> OpinionDraft | None:
    """The stage's draft awaiting the leader (neither returned nor approved)."""
    return (
        OpinionDraft.objects.select_related("drafted_by")
        .filter(petition=petition, stage=stage, returned_on=None, answer=None)
        .order_by("-pk")
        .first()
    )


def _approve_draft(ctx: Ctx, stage: str) -> OpinionDraft | None:
    """The open draft the leader's opinion approves: never the approver's own draft (two
    persons sign an opinion, 条例 Art. 32)."""
    draft = open_draft(ctx.petition, stage)
    _require(
        draft is None or draft.drafted_by_id != getattr(ctx.actor, "pk", None),
        "意见书草稿须由起草人以外的领导审批，不能审批本人起草的草稿",
    )
    return draft


def _create_answer(ctx: Ctx, stage: str, unit: Unit, route: str, **extra: Any) -> None:
    fields = _answer_fields(ctx) | extra
    draft = _approve_draft(ctx, stage)
    ctx.changes["outcome"] = fields["outcome"]
    ctx.record["outcome"] = fields["outcome"]
    if draft is not None:
        ctx.record["draft"] = draft.pk

    def after() -> None:
        answer = Answer.objects.create(
            petition=ctx.petition,
            stage=stage,
            unit=unit,
            answered_by=ctx.actor,
            answered_on=ctx.today,
            review_route=route,
            **fields,
        )
        if draft is not None:
            OpinionDraft.objects.filter(pk=draft.pk).update(answer=answer)
        if stage != Stage.HANDLING:
            level = ReviewLevel.REVIEW if stage == Stage.REVIEW else ReviewLevel.REREVIEW
            ReviewRequest.objects.filter(petition=ctx.petition, level=level).update(
                opinion=answer, decided_on=ctx.today, is_final=(stage == Stage.REREVIEW)
            )

    ctx.after.append(after)


def _default_route(unit: Unit, kind: str) -> str:
    body = next_body_up(unit)
    name = body.name if body else "上一级行政机关"
    what = "复查" if kind == "review" else "复核"
    return f"如对本意见不服，可自收到之日起30日内向{name}请求{what}"


def _answer(ctx: Ctx) -> None:
    p = ctx.petition
    data = ctx.data(AnswerInput)
    open_parts = list(
        CoHandling.objects.filter(petition=p, signed_off_on__isnull=True).values_list(
            "unit__name", flat=True
        )
    )
    # Art. 24: the lead unit answers once every co-handling unit has signed off its part.
    _require(
        not open_parts,
        f"协办单位尚未确认办结其承担的事项：{'、'.join(open_parts)}（《信访工作条例》第二十四条）",
    )
    extra: dict[str, Any] = {}
    if p.kind == Kind.SUGGESTION:
        # Art. 29: a suggestion ends adopted, partly adopted or not adopted.
        outcome = _required(
            data.suggestion_outcome,
            "建议意见类事项须写明采纳情况：采纳、部分采纳或未采纳（《信访工作条例》第二十九条）",
        )
        extra["suggestion_outcome"] = SuggestionOutcome(outcome).value
        ctx.record["suggestion_outcome"] = extra["suggestion_outcome"]
    route = data.review_route or _default_route(p.responsible_unit, "review")
    _create_answer(ctx, Stage.HANDLING, p.responsible_unit, route, **extra)
    ctx.changes["answered_on"] = ctx.today


RETURN_VISIT_COSIGNERS = 5


def return_visit_required(p: Petition) -> bool:
    """Is a return visit (回访) required before the matter may be closed (domain.md §4)?

    - collective visits (集体访);
    - co-signed petitions of five or more signers (联名信): the petitioner and co-signers,
      not an agent, counted on any written channel;
    - repeat matters (重复信访): the matter belongs to a same-matter group;
    - matters from above: handed down by a higher office on intake (forwarded / assigned),
      assigned (交办) on a hand-over, or handed over by a unit above the responsible one.
    """
    if p.channel in (Channel.COLLECTIVE_VISIT, Channel.FORWARDED, Channel.ASSIGNED):
        return True
    if p.group_id is not None or p.report_required:
        return True
    signers = p.petitioners.filter(
        role__in=(PetitionerRole.PRIMARY, PetitionerRole.COSIGNER)
    ).count()
    if signers >= RETURN_VISIT_COSIGNERS:
        return True
    responsible_path = p.responsible_unit.path
    return any(
        responsible_path.startswith(from_path) and responsible_path != from_path
        for from_path in RouteHandover.objects.filter(
            petition=p, to_unit_id=p.responsible_unit_id
        ).values_list("from_unit__path", flat=True)
    )


def _evaluate(ctx: Ctx) -> None:
    data = ctx.data(EvaluateInput)
    rating = Rating(_required(data.rating, "请选择评价：满意、基本满意或不满意")).value
    ctx.record["rating"] = rating

    def after() -> None:
        # Only the petitioner rates (see .proof), so the row is always theirs.
        ReturnVisit.objects.create(
            petition=ctx.petition,
            visited_on=ctx.today,
            method="网上评价",
            rating=rating,
            note=data.note,
            by_petitioner=True,
            recorded_by=None,  # recorded_by is the staff member who took a visit down
        )

    ctx.after.append(after)


def _close(ctx: Ctx) -> None:
    p = ctx.petition
    if p.status == S.ANSWERED:
        _require(
            not return_visit_required(p),
            "该事项须先回访并请信访人评价后方可办结（联名5人以上、重复信访、上级转交办、集体访）",
        )
    ctx.changes["closed_on"] = ctx.today


def _request_window(ctx: Ctx, column: str, anchor: date | None, what: str) -> date:
    due = getattr(ctx.petition, column)
    requested_on = ctx.data(ReviewRequestInput).requested_on or ctx.today
    _require(requested_on <= ctx.today, "申请日期不能晚于今天")
    received = _required(anchor, f"尚无可申请{what}的意见")
    _require(requested_on >= received, "申请日期不能早于收到意见的日期")
    _require(
        due is None or requested_on <= due,
        f"已超过申请{what}期限（{due}），请求{what}须在收到意见之日起30日内提出",
    )
    _check_window_later(ctx, column, requested_on)
    return requested_on


def _check_window_later(ctx: Ctx, column: str, made_on: date) -> None:
    """A request whose window is pending is accepted and checked once the year is entered."""
    p = ctx.petition
    not_before = p.not_before(column)
    if getattr(p, column) is not None or not_before is None:
        return
    kind = WindowCheck.Kind(column.removesuffix("_due"))

    def after() -> None:
        WindowCheck.objects.create(
            petition=p, kind=kind, due_column=column, made_on=made_on, not_before=not_before
        )

    ctx.after.append(after)


def _reviewing_unit(ctx: Ctx, below: Unit) -> Unit:
    chosen = ctx.data(ReviewRequestInput).reviewing_unit
    unit = _required(
        _unit(chosen) if chosen else next_body_up(below), "没有上一级机关可以受理该申请"
    )
    _require(
        below.path.startswith(unit.path) and unit.pk != below.pk, "复查（复核）机关须为上级机关"
    )
    check_may_receive(ctx.petition, unit, role="复查（复核）机关")
    return unit


def _not_requested_yet(p: Petition, level: str, what: str) -> None:
    _require(
        not ReviewRequest.objects.filter(petition=p, level=level).exists(),
        f"该事项已申请过{what}",
    )


def _file_request(ctx: Ctx, level: str, requested_on: date, unit: Unit) -> None:
    """Create the request once the move has won; the reviewing body then reaches the matter."""
    ctx.record["reviewing_unit"] = unit.pk

    def after() -> None:
        ReviewRequest.objects.create(
            petition=ctx.petition,
            level=level,
            requested_on=requested_on,
            reason=ctx.reason,
            reviewing_unit=unit,
            by_petitioner=True,
        )
        _add_reach(ctx.petition, unit)

    ctx.after.append(after)


def _pending_request(ctx: Ctx, level: str) -> ReviewRequest:
    # The grant of a review step is checked on this request's unit, so it exists here.
    return _required(review_request(ctx.petition, level), "数据不完整，请刷新后重试")


def _request_review(ctx: Ctx) -> None:
    p = ctx.petition
    _not_requested_yet(p, ReviewLevel.REVIEW, "复查")
    received = p.answer_delivered_on or p.answered_on
    requested_on = _request_window(ctx, "review_request_due", received, "复查")
    unit = _reviewing_unit(ctx, p.responsible_unit)
    ctx.changes.update(review_requested_on=requested_on, level_reached=_level_after(p, unit))
    _file_request(ctx, ReviewLevel.REVIEW, requested_on, unit)


def _review_opinion(ctx: Ctx) -> None:
    request = _pending_request(ctx, ReviewLevel.REVIEW)
    route = ctx.data(AnswerInput).review_route or _default_route(request.reviewing_unit, "rereview")
    _create_answer(ctx, Stage.REVIEW, request.reviewing_unit, route)
    ctx.changes["review_decided_on"] = ctx.today


def _request_rereview(ctx: Ctx) -> None:
    p = ctx.petition
    review = _required(review_request(p, ReviewLevel.REVIEW), "须先有复查意见方可申请复核")
    _require(review.decided_on is not None, "须先有复查意见方可申请复核")
    _not_requested_yet(p, ReviewLevel.REREVIEW, "复核")
    # Art. 36: within 30 days of receiving the written review opinion.
    received = p.review_delivered_on or p.review_decided_on
    requested_on = _request_window(ctx, "rereview_request_due", received, "复核")
    unit = _reviewing_unit(ctx, review.reviewing_unit)
    ctx.changes.update(
        rereview_requested_on=requested_on,
        rereview_pause_days=0,
        level_reached=_level_after(p, unit),
    )
    _file_request(ctx, ReviewLevel.REREVIEW, requested_on, unit)


def _rereview_opinion(ctx: Ctx) -> None:
    _require(not ctx.petition.hearing_open, "听证尚未结束，不能出具复核意见")
    request = _pending_request(ctx, ReviewLevel.REREVIEW)
    _create_answer(ctx, Stage.REREVIEW, request.reviewing_unit, "本复核意见为终结意见")
    ctx.changes.update(is_final=True, closed_on=ctx.today)


# ---------------------------------------------------------------------------------------
# In-state steps (self-loops): the service has run the guards; the effect names the columns.


def _extend(ctx: Ctx) -> None:
    data = ctx.data(ExtendInput)
    ctx.changes["extension_days"] = data.extension_days
    ctx.record["days"] = data.extension_days
    if data.late_reason:
        ctx.record["late_reason"] = data.late_reason  # Art. 34: flagged late extension
    # The new due date is the clock's, recomputed with the write.
    ctx.after.append(lambda: ctx.record.update(new_due=str(ctx.petition.handle_due or "")))


def _hearing_start(ctx: Ctx) -> None:
    data = ctx.data(HearingStartInput)
    # Only a re-review hearing stops the clock (条例 Art. 36).
    ctx.changes["hearing_open"] = data.stage == Stage.REREVIEW
    ctx.record |= {"stage": data.stage, "started_on": str(data.started_on)}


def _hearing_end(ctx: Ctx) -> None:
    data = ctx.data(HearingEndInput)
    ctx.changes |= {
        "hearing_open": False,
        "rereview_pause_days": ctx.petition.rereview_pause_days + data.paused_days,
    }
    ctx.record |= {"stage": data.stage, "paused_days": data.paused_days}


def _delivery(ctx: Ctx) -> None:
    data = ctx.data(DeliveryInput)
    ctx.changes[data.anchor] = data.delivered_on
    ctx.record["delivered_on"] = str(data.delivered_on)


def _draft_opinion(ctx: Ctx) -> None:
    stage = _required(opinion_stage(ctx.petition), "该事项当前没有待出具的意见书")
    _require(not ctx.petition.hearing_open, "听证尚未结束，不能起草意见书")
    fields = _answer_fields(ctx)
    fields["review_route"] = ctx.data(DraftOpinionInput).review_route
    replaced = open_draft(ctx.petition, stage)
    ctx.record |= {"stage": stage, "outcome": fields["outcome"]}
    if not isinstance(ctx.actor, User):
        raise GuardFailed("意见书草稿须由工作人员起草")
    user: User = ctx.actor

    def after() -> None:
        if replaced is not None:
            # A new draft supersedes the one still waiting: the leader sees only the latest.
            OpinionDraft.objects.filter(pk=replaced.pk).update(
                returned_by=user, returned_on=ctx.today, return_comment="已由新草稿替代"
            )
        draft = OpinionDraft.objects.create(
            petition=ctx.petition, stage=stage, drafted_by=user, drafted_on=ctx.today, **fields
        )
        ctx.record["draft"] = draft.pk

    ctx.after.append(after)


def _return_opinion(ctx: Ctx) -> None:
    stage = _required(opinion_stage(ctx.petition), "该事项当前没有待出具的意见书")
    draft = _required(open_draft(ctx.petition, stage), "没有待审批的意见书草稿")
    user = ctx.actor if isinstance(ctx.actor, User) else None
    ctx.record |= {"stage": stage, "draft": draft.pk}

    def after() -> None:
        OpinionDraft.objects.filter(pk=draft.pk).update(
            returned_by=user, returned_on=ctx.today, return_comment=ctx.reason
        )

    ctx.after.append(after)


def _completion_report(ctx: Ctx) -> None:
    data = ctx.data(CompletionReportInput)
    ctx.changes["report_submitted_on"] = ctx.today
    ctx.record["to_unit"] = data.to_unit


EFFECTS: dict[str, Callable[[Ctx], None]] = {
    "extend": _extend,
    "hearing_start": _hearing_start,
    "hearing_end": _hearing_end,
    "delivery": _delivery,
    "completion_report": _completion_report,
    "draft_opinion": _draft_opinion,
    "return_opinion": _return_opinion,
    "route": _route,
    "object": _object,
    "reject_objection": _reject_objection,
    "accept": _accept,
    "not_accept": _not_accept,
    "link": _link,
    "start_handling": _start_handling,
    "answer": _answer,
    "evaluate": _evaluate,
    "close": _close,
    "request_review": _request_review,
    "review_opinion": _review_opinion,
    "request_rereview": _request_rereview,
    "rereview_opinion": _rereview_opinion,
}
