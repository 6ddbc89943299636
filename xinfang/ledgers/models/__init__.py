"""Models of the ledgers app, split by ledger.

::

    screening  ScreeningRule → ScreeningRound → Dispute (→ DisputeTransition)
    duty       SensitivePeriod, DutyRoster → DutyShift,
               ReportObligation → ReportDue (reminders go to core's outbox)
    reception  ReceptionSlot → Reception, SpotCheck
    meetings   MeetingRequirement → Meeting
    campaigns  Campaign → CampaignPhase
    timeline   LedgerTransition (the steps of rosters, reports and slots)
"""

from xinfang.ledgers.models.campaigns import Campaign, CampaignPhase
from xinfang.ledgers.models.duty import (
    DutyRoster,
    DutyShift,
    ReportDue,
    ReportObligation,
    SensitivePeriod,
)
from xinfang.ledgers.models.meetings import Meeting, MeetingRequirement
from xinfang.ledgers.models.reception import Reception, ReceptionSlot, SpotCheck
from xinfang.ledgers.models.screening import (
    Dispute,
    DisputeTransition,
    ScreeningRound,
    ScreeningRule,
)
from xinfang.ledgers.models.timeline import LedgerTransition

__all__ = [
    "Campaign",
    "CampaignPhase",
    "Dispute",
    "DisputeTransition",
    "DutyRoster",
    "DutyShift",
    "LedgerTransition",
    "Meeting",
    "MeetingRequirement",
    "Reception",
    "ReceptionSlot",
    "ReportDue",
    "ReportObligation",
    "ScreeningRound",
    "ScreeningRule",
    "SensitivePeriod",
    "SpotCheck",
]
