"""The trips' due dates, pure over the legal calendar (no ORM).

After return the organizing unit owes the trip report within one month (渝委发〔2005〕14号
第(十七)条) and hands the passports back within 15 days (第(十八)条). Both are periods
counted the way the legal clock counts (``core.calendar``): the return day is not counted
and a last day on a rest day moves to the next working day. A year whose official holiday
schedule is not entered gives a *pending* due with its earliest possible day, never a guess.
"""

from __future__ import annotations

import calendar as _months
from dataclasses import dataclass
from datetime import date

from xinfang.core.calendar import LegalCalendar, earliest_due
from xinfang.core.errors import CalendarNotCovered

__all__ = [
    "PASSPORT_DAYS",
    "REPORT_MONTHS",
    "Due",
    "add_months",
    "passport_due",
    "report_due",
]

REPORT_MONTHS = 1
PASSPORT_DAYS = 15


@dataclass(frozen=True)
class Due:
    """A due date (``on``) or, in a year not entered, ``None`` and the earliest day."""

    on: date | None
    not_before: date

    @property
    def pending(self) -> bool:
        return self.on is None


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later; the last day of a shorter month stands in for a day
    it does not have (31 January + 1 month = 28/29 February), as the Civil Code counts."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _months.monthrange(year, month)[1]))


def _moved(calendar: LegalCalendar, nominal: date) -> Due:
    try:
        return Due(calendar.next_working_day_on_or_after(nominal), nominal)
    except CalendarNotCovered:
        return Due(None, nominal)


def report_due(returned_on: date, calendar: LegalCalendar, months: int = REPORT_MONTHS) -> Due:
    """The last day for the trip report: one month after return (第(十七)条)."""
    return _moved(calendar, add_months(returned_on, months))


def passport_due(returned_on: date, calendar: LegalCalendar, days: int = PASSPORT_DAYS) -> Due:
    """The last day for handing the passports back: 15 days after return (第(十八)条)."""
    return _moved(calendar, earliest_due(returned_on, days))
