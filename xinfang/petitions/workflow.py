"""The workflow of a petition matter as data, and the one function that moves it.

:data:`STEPS` is the transition table (2022 《信访工作条例》, see ``docs/petitions.md`` for
the drawn graph). :func:`transition` is the only way a status changes: it finds the step in
the table, checks the actor's grant on the unit the step belongs to, runs the step's guard
(rules of law: deadlines, one extension, final matters …), writes the change with a
compare-and-swap on ``(status, version)``, recomputes the due dates, and records a
:class:`~xinfang.petitions.models.Transition` row and an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.calendar import LegalCalendar, legal_calendar
from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.org.access import can
from xinfang.org.models import Unit, User
from xinfang.petitions import deadlines
from xinfang.petitions.choices import (
    Channel,
    Kind,
    Outcome,
    PetitionerRole,
    Rating,
    ReviewLevel,
    RouteMode,
    Stage,
    Status,
)
from xinfang.petitions.errors import AccusationRoutingRefused, GuardFailed
from xinfang.petitions.models import (
    Answer,
    Petition,
    PetitionReach,
    ReturnVisit,
    ReviewRequest,
    RouteHandover,
)
from xinfang.petitions.models import Transition as TransitionRow
from xinfang.petitions.units import highest_level, next_body_up, territorial_level

__all__ = [
    "STEPS",
    "Step",
    "allowed_steps",
    "apply_dues",
    "mermaid",
    "return_visit_required",
    "step_between",
    "transition",
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
# Context of one transition and the units the grants are checked on


@dataclass
class Ctx:
    petition: Petition
    step: Step
    actor: Any
    reason: str
    payload: dict[str, Any]
    today: date
    as_petitioner: bool
    changes: dict[str, Any] = field(default_factory=dict)
    after: list[Callable[[], Any]] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)


def _review_request(petition: Petition, level: str) -> ReviewRequest | None:
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
        request = _review_request(petition, level)
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


# ---------------------------------------------------------------------------------------
# Guards and effects, one per step. Guards raise GuardFailed with a Chinese message.


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise GuardFailed(message)


def _date(value: Any, default: date) -> date:
    if value in (None, ""):
        return default
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _unit(value: Any) -> Unit:
    if isinstance(value, Unit):
        return value
    try:
        return Unit.objects.get(pk=int(value), is_active=True)
    except (Unit.DoesNotExist, TypeError, ValueError) as exc:
        raise GuardFailed("请选择有效的单位") from exc


def check_not_accused(petition: Petition, unit: Unit) -> None:
    """An accusation is never handed to the unit it accuses, nor to one inside it, nor to the
    unit of the accused person (条例 Art. 30). The discipline body is the norm."""
    if petition.kind != Kind.ACCUSATION:
        return
    accused = petition.accused_unit
    if (
        accused is not None
        and unit.path.startswith(accused.path)
        and not (unit.is_discipline_body and unit.pk != accused.pk)
    ):
        raise AccusationRoutingRefused(
            "检举控告事项不得转送、交办给被检举控告的单位(《信访工作条例》第三十条),"
            "请转送纪检监察机关或有权处理的机关"
        )
    accused_user = petition.accused_user
    if accused_user is not None and accused_user.unit_id == unit.pk:
        raise AccusationRoutingRefused(
            "检举控告事项不得转送、交办给被检举控告人所在单位(《信访工作条例》第三十条)"
        )


def _add_reach(petition: Petition, unit: Unit) -> None:
    PetitionReach.objects.get_or_create(
        petition=petition, unit=unit, defaults={"unit_path": unit.path}
    )


def _level_after(petition: Petition, unit: Unit) -> str:
    return highest_level([petition.level_reached, territorial_level(unit)])


def _route(ctx: Ctx) -> None:
    p = ctx.petition
    to_unit = _unit(ctx.payload.get("to_unit"))
    _require(to_unit.pk != p.responsible_unit_id, "不能转送给本单位")
    check_not_accused(p, to_unit)
    mode = ctx.payload.get("mode") or RouteMode.FORWARD
    _require(mode in RouteMode.values, "转交办方式无效")
    report_due = ctx.payload.get("report_due")
    report_due = _date(report_due, ctx.today) if report_due else None
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
            note=str(ctx.payload.get("note") or ""),
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
    handover = _last_handover(p)
    _require(handover is not None, "该事项不是转送交办而来,无需提出异议")
    if handover is None:  # narrowed for the type checker; guarded above
        raise GuardFailed("数据不完整,请刷新后重试")
    # Art. 23: a receiving body that is not competent objects within 5 working days.
    _require(
        p.objection_due is None or ctx.today <= p.objection_due,
        f"已超过异议期限({p.objection_due}),不能再提出异议(《信访工作条例》第二十三条)",
    )
    ctx.changes.update(responsible_unit=handover.from_unit, handler=None)

    def after() -> None:
        RouteHandover.objects.filter(pk=handover.pk).update(
            objected_on=ctx.today, objection_reason=ctx.reason
        )

    ctx.after.append(after)


def _not_after_final(p: Petition) -> None:
    _require(
        not p.after_final,
        "该事项为复核终结后以同一事实和理由再次提出,不再受理(《信访工作条例》第三十六条)",
    )


def _accept(ctx: Ctx) -> None:
    _not_after_final(ctx.petition)
    ctx.changes["accepted_on"] = ctx.today
    ctx.record["notice"] = str(ctx.payload.get("notice") or "")


def _not_accept(ctx: Ctx) -> None:
    ctx.changes["closed_on"] = ctx.today


def _link(ctx: Ctx) -> None:
    target = ctx.payload.get("target")
    _require(isinstance(target, Petition), "请选择要并入的事项")
    if not isinstance(target, Petition):
        raise GuardFailed("请选择要并入的事项")
    _require(target.pk != ctx.petition.pk, "不能与自身关联")
    ctx.changes["closed_on"] = ctx.today
    ctx.record["target"] = target.pk


def _start_handling(ctx: Ctx) -> None:
    handler = ctx.payload.get("handler") or ctx.actor
    if not isinstance(handler, User):
        try:
            handler = User.objects.get(pk=int(handler))
        except (User.DoesNotExist, TypeError, ValueError) as exc:
            raise GuardFailed("请选择承办人") from exc
    _require(
        can(handler, "handle", ctx.petition.responsible_unit.path),
        "承办人须为责任单位有办理权限的工作人员",
    )
    ctx.changes["handler"] = handler
    ctx.record["handler"] = handler.pk


def _answer_fields(ctx: Ctx) -> dict[str, Any]:
    p = ctx.payload
    outcome = p.get("outcome")
    _require(outcome in Outcome.values, "请选择处理意见:支持、解释说明或不予支持(第三十二条)")
    for key, label in (("facts", "事实"), ("reasons", "理由"), ("legal_basis", "依据")):
        _require(bool(str(p.get(key) or "").strip()), f"答复意见须写明{label}(第三十二条)")
    return {
        "outcome": outcome,
        "request": str(p.get("request") or ""),
        "facts": str(p["facts"]),
        "reasons": str(p["reasons"]),
        "legal_basis": str(p["legal_basis"]),
    }


def _create_answer(ctx: Ctx, stage: str, unit: Unit, route: str) -> None:
    fields = _answer_fields(ctx)
    ctx.changes["outcome"] = fields["outcome"]
    ctx.record["outcome"] = fields["outcome"]

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
    return f"如对本意见不服,可自收到之日起30日内向{name}请求{what}"


def _answer(ctx: Ctx) -> None:
    p = ctx.petition
    route = str(ctx.payload.get("review_route") or _default_route(p.responsible_unit, "review"))
    _create_answer(ctx, Stage.HANDLING, p.responsible_unit, route)
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
    rating = ctx.payload.get("rating")
    _require(rating in Rating.values, "请选择评价:满意、基本满意或不满意")
    ctx.record["rating"] = rating

    def after() -> None:
        ReturnVisit.objects.create(
            petition=ctx.petition,
            visited_on=ctx.today,
            method=str(ctx.payload.get("method") or ("网上评价" if ctx.as_petitioner else "")),
            rating=str(rating),
            note=str(ctx.payload.get("note") or ""),
            by_petitioner=ctx.as_petitioner,
            recorded_by=ctx.actor if isinstance(ctx.actor, User) else None,
        )

    ctx.after.append(after)


def _close(ctx: Ctx) -> None:
    p = ctx.petition
    if p.status == S.ANSWERED:
        _require(
            not return_visit_required(p),
            "该事项须先回访并请信访人评价后方可办结(联名5人以上、重复信访、上级转交办、集体访)",
        )
    ctx.changes["closed_on"] = ctx.today


def _request_window(ctx: Ctx, due: date | None, anchor: date | None, what: str) -> date:
    requested_on = _date(ctx.payload.get("requested_on"), ctx.today)
    _require(requested_on <= ctx.today, "申请日期不能晚于今天")
    _require(anchor is not None, f"尚无可申请{what}的意见")
    if anchor is None:  # narrowed for the type checker; guarded above
        raise GuardFailed("数据不完整,请刷新后重试")
    _require(requested_on >= anchor, "申请日期不能早于收到意见的日期")
    _require(
        due is None or requested_on <= due,
        f"已超过申请{what}期限({due}),请求{what}须在收到意见之日起30日内提出",
    )
    return requested_on


def _reviewing_unit(ctx: Ctx, below: Unit) -> Unit:
    chosen = ctx.payload.get("reviewing_unit")
    unit = _unit(chosen) if chosen else next_body_up(below)
    _require(unit is not None, "没有上一级机关可以受理该申请")
    if unit is None:  # narrowed for the type checker; guarded above
        raise GuardFailed("数据不完整,请刷新后重试")
    _require(below.path.startswith(unit.path) and unit.pk != below.pk, "复查(复核)机关须为上级机关")
    check_not_accused(ctx.petition, unit)
    return unit


def _request_review(ctx: Ctx) -> None:
    p = ctx.petition
    _require(
        not ReviewRequest.objects.filter(petition=p, level=ReviewLevel.REVIEW).exists(),
        "该事项已申请过复查",
    )
    received = p.answer_delivered_on or p.answered_on
    requested_on = _request_window(ctx, p.review_request_due, received, "复查")
    unit = _reviewing_unit(ctx, p.responsible_unit)
    ctx.changes.update(review_requested_on=requested_on, level_reached=_level_after(p, unit))
    ctx.record["reviewing_unit"] = unit.pk

    def after() -> None:
        ReviewRequest.objects.create(
            petition=p,
            level=ReviewLevel.REVIEW,
            requested_on=requested_on,
            reason=ctx.reason,
            reviewing_unit=unit,
            by_petitioner=ctx.as_petitioner,
        )
        _add_reach(p, unit)

    ctx.after.append(after)


def _review_opinion(ctx: Ctx) -> None:
    request = _review_request(ctx.petition, ReviewLevel.REVIEW)
    if request is None:  # narrowed for the type checker; guarded above
        raise GuardFailed("数据不完整,请刷新后重试")
    route = str(
        ctx.payload.get("review_route") or _default_route(request.reviewing_unit, "rereview")
    )
    _create_answer(ctx, Stage.REVIEW, request.reviewing_unit, route)
    ctx.changes["review_decided_on"] = ctx.today


def _request_rereview(ctx: Ctx) -> None:
    p = ctx.petition
    review = _review_request(p, ReviewLevel.REVIEW)
    _require(review is not None and review.decided_on is not None, "须先有复查意见方可申请复核")
    _require(
        not ReviewRequest.objects.filter(petition=p, level=ReviewLevel.REREVIEW).exists(),
        "该事项已申请过复核",
    )
    if review is None:  # narrowed for the type checker; guarded above
        raise GuardFailed("数据不完整,请刷新后重试")
    # Art. 36: within 30 days of receiving the written review opinion.
    received = p.review_delivered_on or p.review_decided_on
    requested_on = _request_window(ctx, p.rereview_request_due, received, "复核")
    unit = _reviewing_unit(ctx, review.reviewing_unit)
    ctx.changes.update(
        rereview_requested_on=requested_on,
        rereview_pause_days=0,
        level_reached=_level_after(p, unit),
    )
    ctx.record["reviewing_unit"] = unit.pk

    def after() -> None:
        ReviewRequest.objects.create(
            petition=p,
            level=ReviewLevel.REREVIEW,
            requested_on=requested_on,
            reason=ctx.reason,
            reviewing_unit=unit,
            by_petitioner=ctx.as_petitioner,
        )
        _add_reach(p, unit)

    ctx.after.append(after)


def _rereview_opinion(ctx: Ctx) -> None:
    _require(not ctx.petition.hearing_open, "听证尚未结束,不能出具复核意见")
    request = _review_request(ctx.petition, ReviewLevel.REREVIEW)
    if request is None:  # narrowed for the type checker; guarded above
        raise GuardFailed("数据不完整,请刷新后重试")
    _create_answer(ctx, Stage.REREVIEW, request.reviewing_unit, "本复核意见为终结意见")
    ctx.changes.update(is_final=True, closed_on=ctx.today)


EFFECTS: dict[str, Callable[[Ctx], None]] = {
    "route": _route,
    "object": _object,
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


# ---------------------------------------------------------------------------------------
# The clock applied to a row


def anchors_of(p: Petition) -> deadlines.Anchors:
    return deadlines.Anchors(
        received_on=p.received_on,
        routed_on=p.routed_on,
        accepted_on=p.accepted_on,
        extension_days=p.extension_days,
        answer_received_on=p.answer_delivered_on or p.answered_on,
        review_requested_on=p.review_requested_on,
        review_decided_on=p.review_decided_on,
        review_received_on=p.review_delivered_on or p.review_decided_on,
        rereview_requested_on=p.rereview_requested_on,
        rereview_pause_days=p.rereview_pause_days,
        report_due_given=p.report_due_given,
    )


def apply_dues(
    p: Petition, *, calendar: LegalCalendar | None = None, today: date | None = None
) -> dict[str, Any]:
    """Recompute every due column of ``p`` in memory; return the changed column values."""
    cal = calendar or legal_calendar()
    dues = deadlines.compute_dues(anchors_of(p), cal, settings.XINFANG_DEADLINE_CONVENTION)
    report_outstanding = bool(p.report_required and p.report_submitted_on is None and p.answered_on)
    step, due = deadlines.current_step(
        p.status, dues, report_outstanding=report_outstanding, hearing_open=p.hearing_open
    )
    today = today or timezone.localdate()
    values: dict[str, Any] = {
        "route_due": dues.route,
        "objection_due": dues.objection,
        "notice_due": dues.notice,
        "handle_due": dues.handle,
        "report_due": dues.report if p.report_required else None,
        "review_request_due": dues.review_request,
        "review_due": dues.review,
        "rereview_request_due": dues.rereview_request,
        "rereview_due": dues.rereview,
        "next_due": due,
        "next_due_step": step,
        "deadline_pending": dues.pending,
        "deadline_notice": deadlines.pending_notice(dues.pending_years),
    }
    overdue = due is not None and due < today
    values["is_overdue"] = overdue
    values["overdue_since"] = (p.overdue_since if p.is_overdue else None) if overdue else None
    if overdue and values["overdue_since"] is None:
        values["overdue_since"] = due
    for key, value in values.items():
        setattr(p, key, value)
    return values


# ---------------------------------------------------------------------------------------
# The one entry point


@transaction.atomic
def transition(
    petition: Petition,
    to: str,
    *,
    actor: Any,
    reason: str = "",
    as_petitioner: bool = False,
    today: date | None = None,
    **payload: Any,
) -> Petition:
    """Move ``petition`` to ``to`` by the table, as ``actor``; return the updated matter.

    ``as_petitioner=True`` is for the citizen portal, which has verified the query code and
    phone: only steps with ``petitioner_may`` are then allowed, ``actor`` may be ``None``.
    Raises ``TransitionNotAllowed`` (table or grant), ``GuardFailed`` (a rule of law) or
    ``ConcurrentChange`` (someone moved the matter meanwhile).
    """
    step = step_between(petition.status, to)
    if step is None:
        raise TransitionNotAllowed(
            f"“{Status(petition.status).label}”状态不能转为“{Status(to).label}”"
            if to in Status.values
            else "未知的目标状态"
        )
    if as_petitioner:
        if not step.petitioner_may:
            raise TransitionNotAllowed("信访人不能办理此项操作")
    elif not actor_may(actor, petition, step):
        raise TransitionNotAllowed("您没有办理此项操作的权限")
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise GuardFailed(f"“{step.label}”须写明理由")
    ctx = Ctx(
        petition=petition,
        step=step,
        actor=actor,
        reason=reason,
        payload=payload,
        today=today or timezone.localdate(),
        as_petitioner=as_petitioner,
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
        as_petitioner=as_petitioner,
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
    label = "信访人(网上)" if as_petitioner and user is None else str(user or "系统")
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
    return row
