"""Writes of the supervision app (督办, 条例 Arts. 38–40).

Every service takes the acting user, runs in one transaction, checks the grant, writes the
audit trail; status changes are steps of the core workflow engine, declared in
:mod:`xinfang.supervision.workflow` (compare-and-swap on ``status`` and ``version``, a
timeline row per step). The matter must be visible to the actor, and an accusation is never
supervised by, or handed for action to, the unit it accuses (Art. 30).
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from xinfang.core import audit, outbox
from xinfang.core import workflow as engine
from xinfang.core.audit import snapshot
from xinfang.core.calendar import LegalCalendar, add_calendar_days, earliest_due, legal_calendar
from xinfang.core.errors import CalendarNotCovered, ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.org.access import can, granted_paths
from xinfang.org.models import Unit, User
from xinfang.org.querysets import subtree_q
from xinfang.petitions.choices import Kind
from xinfang.petitions.confidentiality import check_may_receive
from xinfang.petitions.instructions import LeaderInstruction
from xinfang.petitions.models import Petition
from xinfang.supervision import workflow as _workflow  # noqa: F401  (registers the steps)
from xinfang.supervision.choices import (
    ListedStatus,
    OwnershipStatus,
)
from xinfang.supervision.errors import SupervisionInvalid
from xinfang.supervision.models import (
    CaseOwnership,
    Instruction,
    ListedSupervision,
    Reminder,
    SupervisionNotice,
)

R = TypeVar("R", bound=models.Model)

__all__ = [
    "answer_notice",
    "assign_case_owner",
    "complete_instruction",
    "delist_supervision",
    "issue_notice",
    "list_supervision",
    "notice_answer_days",
    "notice_answer_due",
    "recompute_notice_dues",
    "record_instruction",
    "record_intake_instruction",
    "release_case_owner",
    "reply_reminder",
    "report_instruction",
    "send_reminder",
]


# 条例 Arts. 39–40: a body that receives a supervision notice answers in writing whether
# it adopts the recommendation. The 2022 regulation sets no period for that answer (the 30
# days came from Art. 36 of the repealed 2005 《信访条例》), so the period is the office's
# setting, XINFANG_SUPERVISION_ANSWER_DAYS, which a notice may shorten or lengthen.
def notice_answer_days() -> int:
    """The office's answer period for a supervision notice (days)."""
    return int(settings.XINFANG_SUPERVISION_ANSWER_DAYS)


# ---------------------------------------------------------------------------------------
# Checks shared by the services


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SupervisionInvalid(message)


def _may(actor: Any, actions: tuple[str, ...], unit: Unit) -> bool:
    return any(can(actor, action, unit.path) for action in actions)


def _check_grant(actor: Any, actions: tuple[str, ...], unit: Unit, what: str) -> None:
    if actor is None or getattr(actor, "is_citizen", False) or not _may(actor, actions, unit):
        raise TransitionNotAllowed(f"您没有{what}的权限")


def _check_matter_visible(actor: Any, petition: Petition) -> None:
    if not Petition.objects.restrict(actor, "view").filter(pk=petition.pk).exists():
        # Same words as "missing": the caller cannot tell a hidden matter from none.
        raise TransitionNotAllowed("信访事项不存在或您无权查看")


def _in_unit(user: User, unit: Unit, actions: tuple[str, ...]) -> bool:
    """Does ``user`` work in ``unit``'s subtree (own unit, or a grant for ``actions``)?"""
    own = (
        user.unit_id is not None
        and Unit.objects.filter(subtree_q(unit.path), pk=user.unit_id).exists()
    )
    return own or any(can(user, action, unit.path) for action in actions)


def _step(record: R, name: str, actor: Any, today: date | None, **data: Any) -> R:
    """Close ``record`` by its workflow step (``supervision/workflow.py``): the grant, the
    required text, the compare-and-swap and the timeline row are the engine's."""
    moved: R = engine.transition(record, name, actor=actor, data=data, today=_today(today))
    return moved


def _notify(record: Any, kind: str, unit_id: int, text: str, due: date | None) -> None:
    """Queue a message about ``record`` to the inbox of the unit that must act on it.

    The text names the matter by number only, never the grievance (the matter's page has
    it, for those who may see it); an accusation's message carries its accused so the
    outbox never delivers it to them (Art. 30).
    """
    petition = record.petition
    accusation = petition.kind == Kind.ACCUSATION
    outbox.queue(
        key=f"supervision:{kind}:{record.pk}:{unit_id}",
        kind=kind,
        unit_id=unit_id,
        text=f"{petition.number}:{text}",
        link=reverse("petitions:petition_detail", args=[petition.pk]),
        source=f"supervision.{type(record).__name__}:{record.pk}",
        subject=petition.number,
        due=due,
        accused_unit_id=petition.accused_unit_id if accusation else None,
        accused_user_id=petition.accused_user_id if accusation else None,
    )


def _audit(
    actor: Any, action: str, obj: models.Model, before: dict[str, Any] | None = None
) -> None:
    audit.record(actor=actor, action=action, obj=obj, before=before, after=snapshot(obj))


# ---------------------------------------------------------------------------------------
# 催办 (reminders)


@transaction.atomic
def send_reminder(
    *,
    actor: Any,
    petition: Petition,
    supervising_unit: Unit,
    note: str,
    reply_due: date | None = None,
    today: date | None = None,
) -> Reminder:
    """Press the responsible unit to report progress, optionally by ``reply_due`` (Art. 38)."""
    today = _today(today)
    _check_grant(actor, ("supervise",), supervising_unit, "以该单位名义催办")
    _check_matter_visible(actor, petition)
    check_may_receive(petition, supervising_unit, role="督办单位", error=SupervisionInvalid)
    _require(bool(note.strip()), "请填写催办意见")
    _require(reply_due is None or reply_due >= today, "报送期限不能早于今天")
    reminder = Reminder.objects.create(
        petition=petition,
        supervising_unit=supervising_unit,
        responsible_unit_id=petition.responsible_unit_id,
        created_by=actor,
        issued_on=today,
        note=note.strip(),
        reply_due=reply_due,
    )
    _audit(actor, AuditAction.CREATE, reminder)
    _notify(
        reminder,
        "supervision_reminder",
        reminder.responsible_unit_id,
        f"{supervising_unit.name}催办"
        + (f"，请于 {reply_due} 前报告办理进展" if reply_due else "，请抓紧办理"),
        reply_due,
    )
    return reminder


@transaction.atomic
def reply_reminder(
    reminder: Reminder, *, actor: Any, reply: str, today: date | None = None
) -> Reminder:
    """The responsible unit reports how the matter stands."""
    return _step(reminder, "reply", actor, today, reply=reply)


# ---------------------------------------------------------------------------------------
# 督办通知书 (supervision notices)


def notice_answer_due(issued_on: date, days: int | None = None) -> date | None:
    """The written answer's due date by the legal calendar; ``None`` while the year's
    holiday schedule is not entered (shown as pending, recomputed later)."""
    try:
        return add_calendar_days(issued_on, days or notice_answer_days())
    except CalendarNotCovered:
        return None


def _next_notice_number(unit: Unit, year: int) -> str:
    count = SupervisionNotice.objects.filter(supervising_unit=unit, issued_on__year=year).count()
    return f"{unit.name}督〔{year}〕{count + 1}号"


@transaction.atomic
def issue_notice(
    *,
    actor: Any,
    petition: Petition,
    supervising_unit: Unit,
    reasons: str,
    recommendation: str,
    answer_days: int | None = None,
    today: date | None = None,
) -> SupervisionNotice:
    """Issue a 督办通知书 to the matter's responsible unit; the answer is due ``answer_days``
    after issue by the legal calendar — the office's setting unless the notice names its
    own (Arts. 39–40 set no period)."""
    today = _today(today)
    answer_days = answer_days or notice_answer_days()
    _check_grant(actor, ("supervise",), supervising_unit, "以该单位名义督办")
    _check_matter_visible(actor, petition)
    check_may_receive(petition, supervising_unit, role="督办单位", error=SupervisionInvalid)
    _require(bool(reasons.strip()), "请填写督办事由")
    _require(bool(recommendation.strip()), "请填写督办意见和建议")
    _require(1 <= answer_days <= 60, "回复期限应为1至60日")
    due = notice_answer_due(today, answer_days)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                notice = SupervisionNotice.objects.create(
                    number=_next_notice_number(supervising_unit, today.year),
                    petition=petition,
                    supervising_unit=supervising_unit,
                    responsible_unit_id=petition.responsible_unit_id,
                    created_by=actor,
                    issued_on=today,
                    reasons=reasons.strip(),
                    recommendation=recommendation.strip(),
                    answer_days=answer_days,
                    answer_due=due,
                    deadline_pending=due is None,
                    answer_not_before=(
                        earliest_due(today, answer_days, settings.XINFANG_DEADLINE_CONVENTION)
                        if due is None
                        else None
                    ),
                )
            break
        except IntegrityError:
            continue  # a concurrent notice took the number: count again
    else:
        raise ConcurrentChange("文号生成冲突，请重试")
    _audit(actor, AuditAction.CREATE, notice)
    _notify(
        notice,
        "supervision_notice",
        notice.responsible_unit_id,
        f"收到督办通知书 {notice.number}，请于 "
        + (str(due) if due else f"（待定，不早于 {notice.answer_not_before}）")
        + " 前书面回复",
        due or notice.answer_not_before,
    )
    return notice


@transaction.atomic
def answer_notice(
    notice: SupervisionNotice,
    *,
    actor: Any,
    adopted: bool,
    answer: str,
    today: date | None = None,
) -> SupervisionNotice:
    """The responsible unit answers in writing whether the recommendation is adopted."""
    return _step(notice, "answer", actor, today, adopted=bool(adopted), answer=answer)


def recompute_notice_dues(calendar: LegalCalendar | None = None) -> int:
    """Fill in answer dues that waited for a year's holiday schedule; returns how many."""
    calendar = calendar or legal_calendar()
    done = 0
    for notice in SupervisionNotice.objects.filter(deadline_pending=True).only(
        "pk", "issued_on", "answer_days"
    ):
        try:
            due = add_calendar_days(notice.issued_on, notice.answer_days, calendar=calendar)
        except CalendarNotCovered:
            continue
        done += SupervisionNotice.objects.filter(pk=notice.pk, deadline_pending=True).update(
            answer_due=due, deadline_pending=False, answer_not_before=None
        )
    return done


# ---------------------------------------------------------------------------------------
# 挂牌督办 (listed supervision, the six fixed fields)


@transaction.atomic
def list_supervision(
    *,
    actor: Any,
    petition: Petition,
    lead_leader: User | None,
    responsible_unit: Unit | None,
    responsible_person: User | None,
    supervising_unit: Unit | None,
    supervisor: User | None,
    deadline: date | None,
    reason: str,
    today: date | None = None,
) -> ListedSupervision:
    """List a matter for supervision with the 六定: lead leader, responsible unit, responsible
    person, supervising unit, supervisor and deadline — each required and checked."""
    today = _today(today)
    missing = [
        label
        for label, value in (
            ("包案领导", lead_leader),
            ("责任单位", responsible_unit),
            ("责任人", responsible_person),
            ("督办单位", supervising_unit),
            ("督办人", supervisor),
            ("办结时限", deadline),
            ("挂牌事由", reason.strip() or None),
        )
        if value is None
    ]
    if (
        missing
        or lead_leader is None
        or responsible_unit is None
        or responsible_person is None
        or supervising_unit is None
        or supervisor is None
        or deadline is None
    ):
        raise SupervisionInvalid("挂牌督办须“六定”和挂牌事由齐全，缺少：" + "、".join(missing))
    _check_grant(actor, ("supervise",), supervising_unit, "以该单位名义挂牌督办")
    _check_matter_visible(actor, petition)
    check_may_receive(petition, supervising_unit, role="督办单位", error=SupervisionInvalid)
    check_may_receive(petition, responsible_unit, role="责任单位", error=SupervisionInvalid)
    _require(deadline >= today, "办结时限不能早于今天")
    _require(
        _in_unit(responsible_person, responsible_unit, ("handle",)),
        f"责任人{responsible_person}不属于责任单位{responsible_unit}",
    )
    _require(
        can(supervisor, "supervise", supervising_unit.path),
        f"督办人{supervisor}在督办单位{supervising_unit}没有督办职责",
    )
    _require(
        any(
            can(lead_leader, action, path)
            for action in ("lead", "receive")
            for path in (responsible_unit.path, supervising_unit.path)
        ),
        f"包案领导{lead_leader}须为责任单位或督办单位的负责人或接访领导",
    )
    _require(
        not ListedSupervision.objects.filter(
            petition=petition, status=ListedStatus.LISTED
        ).exists(),
        "该事项已挂牌督办",
    )
    listed = ListedSupervision.objects.create(
        petition=petition,
        supervising_unit=supervising_unit,
        responsible_unit=responsible_unit,
        created_by=actor,
        lead_leader=lead_leader,
        responsible_person=responsible_person,
        supervisor=supervisor,
        deadline=deadline,
        listed_on=today,
        reason=reason.strip(),
    )
    _audit(actor, AuditAction.CREATE, listed)
    _notify(
        listed,
        "listed_supervision",
        responsible_unit.pk,
        f"已挂牌督办，请于 {deadline} 前办结",
        deadline,
    )
    return listed


@transaction.atomic
def delist_supervision(
    listed: ListedSupervision, *, actor: Any, note: str, today: date | None = None
) -> ListedSupervision:
    """摘牌: the supervising unit closes the listing, saying what was achieved."""
    return _step(listed, "delist", actor, today, delisting_note=note)


# ---------------------------------------------------------------------------------------
# 领导包案 (a leader's ownership of a case)


def _leader_unit(leader: User, petition: Petition) -> Unit | None:
    """The unit of the leader's nearest grant (lead / receive) over the responsible unit."""
    target = petition.responsible_unit.path
    paths = [
        path
        for action in ("lead", "receive")
        for path in granted_paths(leader, action)
        if target.startswith(path)
    ]
    if not paths:
        return None
    return Unit.objects.get(path=max(paths, key=len))


@transaction.atomic
def assign_case_owner(
    *, actor: Any, petition: Petition, leader: User, note: str = "", today: date | None = None
) -> CaseOwnership:
    """A leader takes the matter personally (包案). The leader must lead or receive over the
    responsible unit; the actor is the leader or supervises the leader's unit."""
    _check_matter_visible(actor, petition)
    unit = _leader_unit(leader, petition)
    if unit is None:
        raise SupervisionInvalid(f"{leader}不是责任单位的负责人或上级接访领导，不能包案")
    if actor.pk != leader.pk:
        # A supervisor arranges it: over the leader's unit, or over the matter (the office
        # that registered it or the unit handling it, whose handling it supervises).
        overseen = (unit, petition.registering_unit, petition.responsible_unit)
        if not any(_may(actor, ("supervise",), over) for over in overseen):
            raise TransitionNotAllowed("您没有安排领导包案的权限")
    check_may_receive(petition, unit, role="包案领导所在单位", error=SupervisionInvalid)
    _require(
        not CaseOwnership.objects.filter(petition=petition, status=OwnershipStatus.ACTIVE).exists(),
        "该事项已有包案领导",
    )
    ownership = CaseOwnership.objects.create(
        petition=petition,
        supervising_unit=unit,
        responsible_unit_id=petition.responsible_unit_id,
        created_by=actor,
        leader=leader,
        started_on=_today(today),
        note=note.strip(),
    )
    _audit(actor, AuditAction.CREATE, ownership)
    return ownership


@transaction.atomic
def release_case_owner(
    ownership: CaseOwnership, *, actor: Any, note: str, today: date | None = None
) -> CaseOwnership:
    """End a leader's ownership (matter resolved, or handed to another leader)."""
    return _step(ownership, "release", actor, today, end_note=note)


# ---------------------------------------------------------------------------------------
# 领导批示 (leaders' instructions)


@transaction.atomic
def record_instruction(
    *,
    actor: Any,
    petition: Petition,
    supervising_unit: Unit,
    leader_name: str,
    text: str,
    due: date,
    responsible_unit: Unit | None = None,
    leader: User | None = None,
    instructed_on: date | None = None,
    today: date | None = None,
) -> Instruction:
    """Attach a leader's instruction to a matter, to be carried out by ``due``."""
    today = _today(today)
    responsible = responsible_unit or petition.responsible_unit
    _check_grant(actor, ("supervise", "lead", "receive"), supervising_unit, "登记领导批示")
    _check_matter_visible(actor, petition)
    check_may_receive(petition, supervising_unit, role="登记单位", error=SupervisionInvalid)
    check_may_receive(petition, responsible, role="落实单位", error=SupervisionInvalid)
    _require(bool(leader_name.strip()), "请填写批示领导")
    _require(bool(text.strip()), "请填写批示内容")
    instructed_on = instructed_on or today
    _require(instructed_on <= today, "批示日期不能晚于今天")
    _require(due >= instructed_on, "落实期限不能早于批示日期")
    return _create_instruction(
        actor,
        petition=petition,
        supervising_unit=supervising_unit,
        responsible_unit=responsible,
        leader_name=leader_name.strip(),
        leader=leader,
        instructed_on=instructed_on,
        text=text.strip(),
        due=due,
    )


def _create_instruction(actor: Any, **fields: Any) -> Instruction:
    """Write the instruction, its audit entry and the responsible unit's notice."""
    instruction = Instruction.objects.create(created_by=actor, **fields)
    _audit(actor, AuditAction.CREATE, instruction)
    _notify(
        instruction,
        "instruction",
        instruction.responsible_unit_id,
        f"收到{instruction.leader_name}批示，请于 {instruction.due} 前落实",
        instruction.due,
    )
    return instruction


@transaction.atomic
def record_intake_instruction(*, actor: Any, instruction: LeaderInstruction) -> Instruction:
    """Track the instruction a leader wrote in a reception record, registered as a matter.

    The front desk that registers the matter records it (its register grant over the
    registering unit suffices: it copies what the leader wrote, it does not instruct); the
    registering office supervises it, the responsible unit carries it out, and it is closed
    only on the instructing leader's or a supervisor's confirmation.
    """
    petition = instruction.petition
    office = petition.registering_unit
    _check_grant(actor, ("register",), office, "登记领导批示")
    _require(bool(instruction.text.strip()), "请填写批示内容")
    _require(instruction.due >= instruction.instructed_on, "落实期限不能早于批示日期")
    return _create_instruction(
        actor,
        petition=petition,
        supervising_unit=office,
        responsible_unit=petition.responsible_unit,
        leader_name=instruction.leader_name.strip() or "接访领导",
        leader=instruction.leader,
        instructed_on=instruction.instructed_on,
        text=instruction.text.strip(),
        due=instruction.due,
    )


@transaction.atomic
def report_instruction(
    instruction: Instruction, *, actor: Any, note: str, today: date | None = None
) -> Instruction:
    """The responsible unit reports what it did to carry the instruction out (it stays open
    until confirmed)."""
    return _step(instruction, "report", actor, today, completion_note=note)


@transaction.atomic
def complete_instruction(
    instruction: Instruction, *, actor: Any, note: str = "", today: date | None = None
) -> Instruction:
    """The instructing leader (or the supervising unit) confirms the reported instruction
    carried out; ``note`` goes on the timeline."""
    moved: Instruction = engine.transition(
        instruction, "complete", actor=actor, reason=note.strip(), today=_today(today)
    )
    return moved
