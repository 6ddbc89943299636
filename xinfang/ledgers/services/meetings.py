"""Required meetings (例会) and the minutes of meetings held."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.errors import TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.ledgers import schedule
from xinfang.ledgers.choices import MEETING_CADENCES
from xinfang.ledgers.models import Meeting, MeetingRequirement
from xinfang.ledgers.services._common import check
from xinfang.org.models import Unit


@transaction.atomic
def create_meeting_requirement(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    cadence: str,
    valid_from: date,
    valid_to: date,
    campaign: Any = None,
    checked: bool = False,
) -> MeetingRequirement:
    """A meeting the unit must hold each week / month / quarter."""
    if not checked:
        check(actor, "lead", unit)
    if cadence not in MEETING_CADENCES:
        raise TransitionNotAllowed("例会频次须为每周、每月或每季度")
    if valid_to < valid_from:
        raise TransitionNotAllowed("截止日期不能早于起始日期")
    req = MeetingRequirement.objects.create(
        unit=unit,
        title=title,
        cadence=cadence,
        valid_from=valid_from,
        valid_to=valid_to,
        campaign=campaign,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=req, after=snapshot(req))
    return req


@transaction.atomic
def record_meeting(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    held_on: date,
    attendees: str,
    minutes: str,
    chair: str = "",
    absentees: str = "",
    requirement: MeetingRequirement | None = None,
) -> Meeting:
    """Record a meeting with its minutes and attendance."""
    check(actor, "handle", unit)
    if held_on > timezone.localdate():
        raise TransitionNotAllowed("召开日期不能晚于今天")
    if requirement is not None and requirement.unit_id != unit.pk:
        raise TransitionNotAllowed("例会制度不属于该单位")
    meeting = Meeting.objects.create(
        unit=unit,
        requirement=requirement,
        title=title,
        held_on=held_on,
        chair=chair,
        attendees=attendees,
        absentees=absentees,
        minutes=minutes,
        recorded_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=meeting, after=snapshot(meeting))
    return meeting


def missing_meetings(
    requirement: MeetingRequirement, today: date, held_days: list[date] | None = None
) -> list[tuple[date, date]]:
    """Periods of ``requirement`` that ended before ``today`` without a meeting."""
    if held_days is None:
        held_days = list(
            Meeting.objects.filter(
                unit_id=requirement.unit_id,
                held_on__gte=requirement.valid_from,
                held_on__lte=requirement.valid_to,
            ).values_list("held_on", flat=True)
        )
    return schedule.missing_periods(
        requirement.cadence, requirement.valid_from, requirement.valid_to, held_days, today
    )
