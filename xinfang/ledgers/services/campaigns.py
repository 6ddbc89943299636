"""Campaigns (专项行动): phases, participants, weekly screening and required submissions."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import transaction

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.errors import TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.ledgers.choices import Cadence, ReportKind, RoundKind
from xinfang.ledgers.models import Campaign, CampaignPhase, ReportObligation
from xinfang.ledgers.services._common import check
from xinfang.ledgers.services.duty import create_obligation
from xinfang.ledgers.services.screening import create_screening_rule
from xinfang.org.models import Unit


@transaction.atomic
def create_campaign(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    starts_on: date,
    ends_on: date,
    targets: str,
    leading_group: str = "",
    office: str = "",
    rulebook: str = "",
    participants: list[Unit] | None = None,
    phases: list[tuple[str, date, date]] | None = None,
    weekly_screening: bool = True,
) -> Campaign:
    """Create a campaign run by ``unit``; participants default to the unit's direct children.

    With ``weekly_screening`` each participant gets weekly screening rounds for the
    campaign's duration (seed 002: 矛盾纠纷"每周排查").
    """
    check(actor, "lead", unit)
    if ends_on < starts_on:
        raise TransitionNotAllowed("结束日期不能早于开始日期")
    if participants is None:
        participants = list(Unit.objects.filter(parent=unit, is_active=True))
    for p in participants:
        if not p.is_within(unit):
            raise TransitionNotAllowed(f"参加单位“{p}”不在组织单位的管辖范围内")
    campaign = Campaign.objects.create(
        unit=unit,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        targets=targets,
        leading_group=leading_group,
        office=office,
        rulebook=rulebook,
        weekly_screening=weekly_screening,
        created_by=actor,
    )
    campaign.participants.set(participants)
    for phase_name, p_start, p_end in phases or []:
        if p_end < p_start or p_start < starts_on or p_end > ends_on:
            raise TransitionNotAllowed(f"阶段“{phase_name}”的日期须在行动期内且起止有序")
        CampaignPhase.objects.create(
            campaign=campaign, name=phase_name, starts_on=p_start, ends_on=p_end
        )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=campaign, after=snapshot(campaign))
    if weekly_screening:
        for p in participants:
            create_screening_rule(
                actor=None,
                unit=p,
                kind=RoundKind.REGULAR,
                cadence=Cadence.WEEKLY,
                starts_on=starts_on,
                ends_on=ends_on,
                campaign=campaign,
            )
    return campaign


@transaction.atomic
def add_campaign_submission(
    *,
    actor: Any,
    campaign: Campaign,
    title: str,
    cadence: str,
    due_time: time,
    due_weekday: int = 4,
    once_due_date: date | None = None,
) -> list[ReportObligation]:
    """A submission every participant owes (e.g. every Friday afternoon: the screening
    ledger and backlog progress; or once, by a date)."""
    check(actor, "lead", campaign.unit)
    if cadence not in (Cadence.WEEKLY, Cadence.ONCE):
        raise TransitionNotAllowed("报送要求须为每周或一次性")
    return [
        create_obligation(
            actor=actor,
            unit=p,
            checked=True,
            title=title,
            kind=ReportKind.SUBMISSION,
            cadence=cadence,
            due_time=due_time,
            due_weekday=due_weekday,
            once_due_date=once_due_date,
            valid_from=campaign.starts_on,
            valid_to=campaign.ends_on,
            campaign=campaign,
        )
        for p in campaign.participants.all()
    ]
