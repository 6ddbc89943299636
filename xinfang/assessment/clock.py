"""Phase deadlines of an assessment period, pure over the legal calendar.

Each phase (self-declaration, review, appeals) runs for the scheme's number of days from
the day it opens: working days where the office says so, else calendar days with a last
day on a rest day moved to the next working day (the convention of ``core.calendar``). A
year the calendar does not cover raises ``CalendarNotCovered``; the caller stores the
deadline as pending instead of guessing.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from xinfang.core.calendar import LegalCalendar

__all__ = ["phase_due"]


def phase_due(calendar: LegalCalendar, opened: date, days: int, *, working: bool) -> date:
    """The last day of a phase of ``days`` opened on ``opened`` (that day not counted)."""
    if working:
        return calendar.add_working_days(opened, days)
    return calendar.add_calendar_days(opened, days, settings.XINFANG_DEADLINE_CONVENTION)
