"""What is due when: pure functions over dates and the legal calendar (no ORM).

The reading of the rules (docs/ledgers.md, "Due dates"):

* A period is a calendar window: a week is Monday–Sunday, a half-month is the 1st–15th or
  the 16th–last day, then month and quarter. A schedule over ``[start, end]`` is the
  windows that intersect it, clipped to it.
* A due *day* that falls on a statutory rest day moves to the next working day — the
  Civil Code Art. 203 reading that ``core.calendar`` applies to every period of the 2022
  《信访工作条例》. Working days follow the official calendar with its make-up days.
* Exceptions: a round *before* a holiday or sensitive period must be done before it, so
  its due day is the last working day before the first rest day; daily reports are due
  every calendar day including rest days (that is the point of holiday daily reports),
  unless the obligation says working days only.
* Urgent reports count clock hours from the event (1 hour for a major warning, 2 hours
  for feedback on a pushed warning); hours do not stop on rest days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from xinfang.core.calendar import LegalCalendar
from xinfang.core.errors import CalendarNotCovered

# The windows themselves are core's, shared with the grids (re-exported for the ledgers).
from xinfang.core.periods import missing_periods, periods
from xinfang.ledgers.choices import URGENT_HOURS, Cadence, ReportKind

__all__ = [
    "DueReport",
    "HolidayWindow",
    "ObligationSpec",
    "default_screening_cadence",
    "holiday_windows",
    "missing_periods",
    "move_to_working_day",
    "periods",
    "pre_period_due",
    "report_schedule",
    "screening_due",
    "urgent_due",
]


def move_to_working_day(day: date, cal: LegalCalendar) -> date:
    """A due day on a rest day moves to the next working day (Civil Code Art. 203)."""
    return cal.next_working_day_on_or_after(day)


def screening_due(window_end: date, cal: LegalCalendar) -> date:
    """A regular round is due by the end of its window, per Art. 203 if that is a rest day."""
    return move_to_working_day(window_end, cal)


def pre_period_due(first_day: date, cal: LegalCalendar) -> date:
    """A round before a holiday or sensitive period: the last working day before it."""
    day = first_day - timedelta(days=1)
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return day


def default_screening_cadence(unit_level: str, *, in_campaign: bool = False) -> str:
    """Monthly; half-monthly for townships (seed 003); weekly during a campaign (seed 002)."""
    if in_campaign:
        return Cadence.WEEKLY
    return Cadence.HALF_MONTHLY if unit_level == "township" else Cadence.MONTHLY


@dataclass(frozen=True)
class HolidayWindow:
    name: str
    first_day: date
    last_day: date


def holiday_windows(cal: LegalCalendar, start: date, end: date) -> list[HolidayWindow]:
    """Official holidays whose first rest day lies in ``[start, end]``.

    A holiday is a maximal run of consecutive rest days containing a day the calendar names
    as a holiday (ordinary weekends carry no name). The 2026 Spring Festival is 15–23
    February; Saturday 14 February is a make-up working day.
    """

    def resting(day: date) -> bool:
        return day.year in cal.covered_years and not cal.is_working_day(day)

    out: list[HolidayWindow] = []
    day = start
    while day <= end:
        if resting(day) and cal.names.get(day) and not cal.exceptions.get(day, False):
            first = day
            while resting(first - timedelta(days=1)):
                first -= timedelta(days=1)
            last = day
            while resting(last + timedelta(days=1)):
                last += timedelta(days=1)
            if start <= first <= end:
                out.append(HolidayWindow(cal.names[day], first, last))
            day = last + timedelta(days=1)
        else:
            day += timedelta(days=1)
    return out


@dataclass(frozen=True)
class ObligationSpec:
    """The parts of a report obligation the schedule depends on (plain values)."""

    cadence: str
    valid_from: date
    valid_to: date
    due_time: time
    due_weekday: int = 4
    due_offset_working_days: int = 0
    once_due_date: date | None = None
    working_days_only: bool = False


@dataclass(frozen=True)
class DueReport:
    period_start: date
    period_end: date
    due_at: datetime
    # The due day lies in (or is counted through) a year the calendar does not cover yet:
    # ``due_at`` is then the earliest it can be, filled in when the year is entered.
    pending: bool = False


def _at(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def report_schedule(spec: ObligationSpec, cal: LegalCalendar, tz: tzinfo) -> list[DueReport]:
    """Every report due under ``spec`` with its due time.

    * daily: each day of the window at ``due_time`` (rest days included unless
      ``working_days_only``);
    * weekly: the ``due_weekday`` of each week (Friday by default, seed 002 "每周五下午"),
      moved to the next working day if that is a rest day;
    * half-monthly / monthly: the window's last day, or the ``due_offset_working_days``-th
      working day after it when set (e.g. "每月前3个工作日报上月情况"), Art. 203 applied;
    * once: ``once_due_date``.
    """
    if spec.cadence == Cadence.ONCE:
        day = spec.once_due_date or spec.valid_to
        return [DueReport(spec.valid_from, day, _at(day, spec.due_time, tz))]
    out: list[DueReport] = []
    for w_start, w_end in periods(spec.cadence, spec.valid_from, spec.valid_to):
        if spec.cadence == Cadence.DAILY:
            earliest = w_start
        elif spec.cadence == Cadence.WEEKLY:
            monday = w_start - timedelta(days=w_start.weekday())
            earliest = min(max(monday + timedelta(days=spec.due_weekday), w_start), w_end)
        else:
            # N working days take at least N calendar days (make-up days fall on weekends).
            earliest = w_end + timedelta(days=spec.due_offset_working_days)
        try:
            due_day = _report_due_day(spec, cal, w_start, w_end, earliest)
        except CalendarNotCovered:
            out.append(DueReport(w_start, w_end, _at(earliest, spec.due_time, tz), pending=True))
            continue
        if due_day is not None:
            out.append(DueReport(w_start, w_end, _at(due_day, spec.due_time, tz)))
    return out


def _report_due_day(
    spec: ObligationSpec, cal: LegalCalendar, w_start: date, w_end: date, target: date
) -> date | None:
    """The due day of one window (None: a working-days-only daily report on a rest day)."""
    if spec.cadence == Cadence.DAILY:
        if spec.working_days_only and not cal.is_working_day(w_start):
            return None
        return w_start
    if spec.cadence == Cadence.WEEKLY or not spec.due_offset_working_days:
        return move_to_working_day(target if spec.cadence == Cadence.WEEKLY else w_end, cal)
    return cal.add_working_days(w_end, spec.due_offset_working_days)


def urgent_due(kind: str, event_at: datetime) -> datetime:
    """Deadline of an urgent report: clock hours after the event (not working hours)."""
    return event_at + timedelta(hours=URGENT_HOURS[ReportKind(kind)])
