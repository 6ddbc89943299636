"""Leaders' reception: schedule, publication, records, petition intake and spot checks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core import workflow as engine
from xinfang.core.audit import snapshot
from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.ledgers import workflow as _workflow  # noqa: F401  (registers the steps)
from xinfang.ledgers.choices import PublishStatus
from xinfang.ledgers.models import Reception, ReceptionSlot, SpotCheck
from xinfang.ledgers.services._common import check
from xinfang.org.access import can
from xinfang.org.models import Unit
from xinfang.petitions.instructions import LeaderInstruction, record_instruction
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.petitions.units import front_desk


@transaction.atomic
def schedule_reception(
    *,
    actor: Any,
    unit: Unit,
    leader_name: str,
    day: date,
    starts_at: time,
    ends_at: time,
    place: str,
    topic: str = "",
    leader_title: str = "",
    leader: Any = None,
) -> ReceptionSlot:
    """Add a leader's reception day to the rotating schedule (a draft until published)."""
    check(actor, "lead", unit)
    if ends_at <= starts_at:
        raise TransitionNotAllowed("结束时间须晚于开始时间")
    slot = ReceptionSlot.objects.create(
        unit=unit,
        leader=leader,
        leader_name=leader_name,
        leader_title=leader_title,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        topic=topic,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=slot, after=snapshot(slot))
    return slot


@transaction.atomic
def publish_reception_schedule(*, actor: Any, unit: Unit, slots: list[ReceptionSlot]) -> int:
    """Publish draft slots of ``unit`` (web page, door notice and calendar feed)."""
    check(actor, "lead", unit)
    ids = [s.pk for s in slots if s.unit_id == unit.pk]
    count = 0
    for slot in ReceptionSlot.objects.filter(pk__in=ids, status=PublishStatus.DRAFT):
        engine.transition(slot, "publish", actor=actor)
        count += 1
    audit.record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=unit,
        detail={"published_reception_slots": ids},
    )
    return count


@transaction.atomic
def record_reception(
    *,
    actor: Any,
    unit: Unit,
    leader_name: str,
    received_on: date,
    visitor_count: int,
    visitors: str,
    matters_raised: str,
    instructions: str = "",
    slot: ReceptionSlot | None = None,
) -> Reception:
    """Record one reception: how many came (no identity data), what was raised, instructions."""
    check(actor, "receive", slot.unit if slot is not None else unit)
    if visitor_count < 1:
        raise TransitionNotAllowed("来访人数至少为1")
    reception = Reception.objects.create(
        slot=slot,
        unit=unit,
        leader_name=leader_name,
        received_on=received_on,
        visitor_count=visitor_count,
        visitors=visitors,
        matters_raised=matters_raised,
        instructions=instructions,
        recorded_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=reception, after=snapshot(reception))
    return reception


def reception_front_desk(reception: Reception) -> Unit | None:
    """The petition office that registers the reception's matters (条例 Art. 17: the
    petition office registers what the leader received in the reception room)."""
    return front_desk(reception.unit)


def may_register_reception(user: Any, reception: Reception) -> bool:
    """May ``user`` register the reception as a matter (the front desk's registrar)?"""
    desk = reception_front_desk(reception)
    return desk is not None and can(user, "register", desk.path)


INSTRUCTION_DAYS = 15  # default time to carry out a reception instruction (calendar days)


def instruction_due_default(reception: Reception) -> date:
    return reception.received_on + timedelta(days=INSTRUCTION_DAYS)


@transaction.atomic
def register_reception_as_petition(
    *,
    actor: Any,
    reception: Reception,
    petitioner_name: str,
    phone: str = "",
    kind: str = "appeal",
    instruction_due: date | None = None,
) -> str:
    """One step from a reception record to a petition matter (a visit, Art. 17/19).

    The front desk (the petition office of the reception's unit) registers the matter
    with the petitions app's intake service; the petitioner's name and phone go to that
    app's protected store, not to the ledger. The reception keeps the matter's link, and
    the leader's instruction written in the record becomes a tracked 批示 (by
    ``instruction_due``) instead of a line of text.
    """
    desk = reception_front_desk(reception)
    if desk is None or not can(actor, "register", desk.path):
        raise TransitionNotAllowed("接访记录由本级信访工作机构的登记人员登记为信访事项")
    if reception.petition_ref:
        raise TransitionNotAllowed(f"已登记为信访事项 {reception.petition_ref}")
    instructed = reception.instructions.strip()
    collective = reception.visitor_count >= 2
    registration = register_petition(
        actor=actor,
        registering_unit=desk,
        channel="collective_visit" if collective else "visit",
        kind=kind,
        summary=reception.matters_raised[:200],
        full_text=(
            f"{reception.matters_raised}\n\n领导接访（{reception.leader_name}，"
            f"{reception.received_on}）处理意见：{reception.instructions}"
        ),
        petitioners=[PetitionerData(name=petitioner_name, phone=phone)],
        received_on=reception.received_on,
        head_count=reception.visitor_count if collective else None,
    )
    petition = registration.petition
    ref = str(petition.number or petition.pk)
    updated = Reception.objects.filter(pk=reception.pk, petition_ref="").update(
        petition_ref=ref, petition=petition
    )
    if not updated:
        raise ConcurrentChange("该接访记录已登记为信访事项")
    reception.petition_ref = ref
    reception.petition = petition
    audit.record(actor=actor, action=AuditAction.CHANGE, obj=reception, after={"petition": ref})
    if instructed:
        record_instruction(
            actor=actor,
            instruction=LeaderInstruction(
                petition=petition,
                leader_name=reception.leader_name,
                leader=reception.slot.leader if reception.slot else None,
                text=instructed,
                instructed_on=reception.received_on,
                due=instruction_due or instruction_due_default(reception),
            ),
        )
    return ref


@transaction.atomic
def record_spot_check(
    *,
    actor: Any,
    slot: ReceptionSlot,
    leader_present: bool,
    note: str = "",
    checked_at: datetime | None = None,
) -> SpotCheck:
    """An unannounced check of a scheduled reception (暗访督查); absence becomes a fact."""
    check(actor, "supervise", slot.unit)
    if slot.status != PublishStatus.PUBLISHED:
        raise TransitionNotAllowed("只能对已公布的接访日程进行督查")
    if not leader_present and not note.strip():
        raise TransitionNotAllowed("领导未在岗时须填写情况说明")
    check_row = SpotCheck.objects.create(
        slot=slot,
        unit=slot.unit,
        checked_at=checked_at or timezone.now(),
        leader_present=leader_present,
        note=note.strip(),
        checked_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=check_row, after=snapshot(check_row))
    return check_row
