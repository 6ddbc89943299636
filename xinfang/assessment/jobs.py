"""The nightly job of the assessment platform (called by ``tasks.assessment_tick``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from xinfang.assessment.choices import PeriodStatus
from xinfang.assessment.models import Period
from xinfang.assessment.notices import remind_deadlines
from xinfang.assessment.services import take_step
from xinfang.core.errors import XinfangError
from xinfang.core.workflow import SYSTEM

__all__ = ["run_assessment_tick"]


def run_assessment_tick(today: date) -> dict[str, Any]:
    """Refresh the derived facts of periods still collecting ("continuously"); remind
    subject units of deadlines coming due."""
    refreshed = 0
    statuses = (PeriodStatus.COLLECTING, PeriodStatus.DECLARATION, PeriodStatus.REVIEW)
    for period in Period.objects.filter(status__in=statuses).select_related("scheme"):
        try:
            take_step(period, "refresh", actor=SYSTEM)
            refreshed += 1
        except XinfangError:  # a concurrent step moved it on; the next night tries again
            continue
    return {"refreshed": refreshed, "reminded": remind_deadlines(today)}
