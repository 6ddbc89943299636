"""The early warning that next year's holiday schedule is missing (see ``calendar_warning``).

From 1 October, and for as long as the year is not entered, the administrators' dashboard
shows it and the daily job queues one notice a day, to the inbox of every administrator of
a top-level unit (those who may enter a year) and every superuser, saying how many due
dates already wait.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from xinfang.core import outbox
from xinfang.core.calendar import CalendarWarning, calendar_warning

__all__ = ["queue_calendar_warning"]


def queue_calendar_warning(today: date | None = None) -> CalendarWarning | None:
    """Queue today's notice if a needed year is missing; idempotent per day."""
    today = today or timezone.localdate()
    warning = calendar_warning(today)
    if warning is None:
        return None
    years = "-".join(str(y) for y in warning.years)
    for user_id in _calendar_administrators():
        outbox.queue(
            key=f"core:calendar-missing:{years}:{today.isoformat()}:{user_id}",
            kind="calendar",
            user_id=user_id,
            text=warning.text,
            source=f"core.CalendarYear:{years}",
            subject=f"{years} 年节假日安排",
            due=today,
        )
    return warning


def _calendar_administrators() -> list[int]:
    top_admin = Q(grants__role="administrator", grants__unit__parent__isnull=True)
    users = get_user_model()._default_manager.filter(
        top_admin | Q(is_superuser=True), is_active=True
    )
    return sorted(set(users.values_list("pk", flat=True)))
