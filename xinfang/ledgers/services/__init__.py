"""The only place that writes the ledgers. Each function takes ``actor``, runs in one
transaction, re-checks the grant and writes the audit row.

Other apps call :func:`record_agreement` (a mediation/settlement agreement on a petition
matter, Art. 33) and :func:`was_found_in_screening` (倒查 when a matter escalates).
"""

from xinfang.ledgers.services.campaigns import add_campaign_submission, create_campaign
from xinfang.ledgers.services.duty import (
    add_shift,
    create_obligation,
    create_obligations,
    create_roster,
    create_sensitive_period,
    file_report,
    generate_dues,
    mark_missing,
    publish_roster,
    queue_reminders,
    record_duty_absence,
    record_urgent_event,
    run_ledger_tick,
    unstaffed_days,
    unstaffed_text,
)
from xinfang.ledgers.services.meetings import (
    create_meeting_requirement,
    missing_meetings,
    record_meeting,
)
from xinfang.ledgers.services.reception import (
    instruction_due_default,
    may_register_reception,
    publish_reception_schedule,
    record_reception,
    record_spot_check,
    register_reception_as_petition,
    schedule_reception,
)
from xinfang.ledgers.services.screening import (
    RESOLUTION_TARGET,
    LookbackResult,
    UnitStats,
    create_screening_rule,
    dispute_stats,
    file_round,
    planned_rounds,
    record_agreement,
    register_dispute,
    schedule_rounds,
    was_found_in_screening,
)

__all__ = [
    "RESOLUTION_TARGET",
    "LookbackResult",
    "UnitStats",
    "add_campaign_submission",
    "add_shift",
    "create_campaign",
    "create_meeting_requirement",
    "create_obligation",
    "create_obligations",
    "create_roster",
    "create_screening_rule",
    "create_sensitive_period",
    "dispute_stats",
    "file_report",
    "file_round",
    "generate_dues",
    "instruction_due_default",
    "mark_missing",
    "may_register_reception",
    "missing_meetings",
    "planned_rounds",
    "publish_reception_schedule",
    "publish_roster",
    "queue_reminders",
    "record_agreement",
    "record_duty_absence",
    "record_meeting",
    "record_reception",
    "record_spot_check",
    "record_urgent_event",
    "register_dispute",
    "register_reception_as_petition",
    "run_ledger_tick",
    "schedule_reception",
    "schedule_rounds",
    "unstaffed_days",
    "unstaffed_text",
    "was_found_in_screening",
]
