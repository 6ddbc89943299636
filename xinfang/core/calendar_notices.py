"""The early warning that next year's holiday schedule is missing (see ``calendar_warning``).

From 1 October, and for as long as the year is not entered, the administrators' dashboard
shows it and the daily job queues one notice a day saying how many due dates already wait.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from xinfang.core.calendar import CalendarWarning, calendar_warning
from xinfang.core.models import AdminNotice

__all__ = ["queue_calendar_warning"]


def queue_calendar_warning(today: date | None = None) -> CalendarWarning | None:
    """Queue today's notice if a needed year is missing; idempotent per day."""
    today = today or timezone.localdate()
    warning = calendar_warning(today)
    if warning is None:
        return None
    years = "-".join(str(y) for y in warning.years)
    AdminNotice.objects.get_or_create(
        key=f"calendar-missing:{years}:{today.isoformat()}", defaults={"text": warning.text}
    )
    return warning
