"""The legal clock: due dates by the official calendar.

Periods follow the Civil Code as the 2022 《信访工作条例》 uses them: the day of the event is
not counted (民法典 Art. 201) and a period whose last day is a statutory rest day ends on
the next working day (Art. 203). Working days are Monday–Friday except official holidays,
plus the make-up working days (调休) on weekends. The convention is a setting
(``XINFANG_DEADLINE_CONVENTION``).

:class:`LegalCalendar` is a pure value (no ORM) so batches and tests can use it directly;
:func:`legal_calendar` loads it from the admin-editable ``CalendarDay`` table. Asking about a
day in a year the table does not cover raises :class:`CalendarNotCovered`: never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from xinfang.core.errors import CalendarNotCovered, DeadlineError

__all__ = [
    "CONVENTIONS",
    "LegalCalendar",
    "add_calendar_days",
    "add_working_days",
    "calendar_warning",
    "due_text",
    "earliest_due",
    "held_calendar",
    "is_working_day",
    "legal_calendar",
    "pending_due_counts",
    "recompute_pending_dues",
    "register_pending_dues",
]

CIVIL_CODE = "civil-code"
START_DAY_COUNTED = "start-day-counted"
CONVENTIONS = (CIVIL_CODE, START_DAY_COUNTED)


@dataclass(frozen=True)
class LegalCalendar:
    """Official exceptions to the Monday–Friday week for the covered years."""

    covered_years: frozenset[int]
    exceptions: dict[date, bool] = field(default_factory=dict)  # date -> is a working day
    names: dict[date, str] = field(default_factory=dict)

    def _check(self, day: date) -> None:
        if day.year not in self.covered_years:
            raise CalendarNotCovered(
                f"{day.year} 年的法定节假日安排尚未录入，无法计算期限；"
                "请管理员在“节假日/调休日”中录入该年度安排。"
            )

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def next_working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_calendar_days(self, start: date, days: int, convention: str = CIVIL_CODE) -> date:
        """The last day of a period of ``days`` calendar days that begins on ``start``."""
        if days < 1:
            raise DeadlineError("期限天数必须为正整数")
        if convention == CIVIL_CODE:
            last = start + timedelta(days=days)
        elif convention == START_DAY_COUNTED:
            last = start + timedelta(days=days - 1)
        else:
            raise DeadlineError(f"未知的期限计算规则：{convention}")
        return self.next_working_day_on_or_after(last)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (the start day never counts)."""
        if days < 1:
            raise DeadlineError("期限天数必须为正整数")
        day = start
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def earliest_due(start: date, days: int, convention: str = CIVIL_CODE) -> date:
    """The earliest day a period can possibly end on, whatever the calendar of its year says.

    That is the nominal last day before any rest-day move: D + N calendar days (D + N − 1
    when the start day is counted). Working-day periods get the same bound: make-up working
    days may fall on any weekend, so N working days take at least N calendar days. Used as
    the provisional date ("待定,不早于 …") of a due date in a year not yet entered.
    """
    if days < 1:
        raise DeadlineError("期限天数必须为正整数")
    if convention == START_DAY_COUNTED:
        return start + timedelta(days=days - 1)
    if convention != CIVIL_CODE:
        raise DeadlineError(f"未知的期限计算规则：{convention}")
    return start + timedelta(days=days)


def due_text(due: date | None, not_before: date | None = None) -> str:
    """A due date as people read it: ``2026-10-08``, ``待定,不早于 2027-01-04``, or ``—``."""
    if due is not None:
        return due.isoformat()
    if not_before is not None:
        return f"待定，不早于 {not_before.isoformat()}"
    return "—"


# Each app that stores due dates registers here (in its AppConfig.ready) a function that
# recomputes its pending ones from the given calendar and returns how many rows changed, and
# one that counts them, so that entering a year's schedule fills in every pending due date
# at once, and the early warning can say how many wait, without core importing the apps.
PendingDuesRecomputer = Callable[[LegalCalendar], int]
PendingDuesCounter = Callable[[], int]


@dataclass(frozen=True)
class _PendingDues:
    recompute: PendingDuesRecomputer
    count: PendingDuesCounter


_PENDING_DUES: dict[str, _PendingDues] = {}


def register_pending_dues(
    label: str, recompute: PendingDuesRecomputer, count: PendingDuesCounter
) -> None:
    """Register ``recompute(calendar) -> changed rows`` and ``count() -> pending rows``."""
    _PENDING_DUES[label] = _PendingDues(recompute, count)


def recompute_pending_dues(calendar: LegalCalendar | None = None) -> dict[str, int]:
    """Recompute every registered app's pending due dates; changed rows per label."""
    cal = calendar or legal_calendar()
    return {label: entry.recompute(cal) for label, entry in _PENDING_DUES.items()}


def pending_due_counts() -> dict[str, int]:
    """How many due dates wait for a year's holiday schedule, per label."""
    return {label: entry.count() for label, entry in _PENDING_DUES.items()}


# The State Council publishes next year's schedule in the autumn (usually November); from
# this day on, a missing next year is announced to administrators every day.
WARN_FROM_MONTH_DAY = (10, 1)


@dataclass(frozen=True)
class CalendarWarning:
    """The years missing from the calendar that due dates now need, and what waits."""

    years: tuple[int, ...]
    pending: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.pending.values())

    @property
    def text(self) -> str:
        years = "、".join(f"{y}年" for y in self.years)
        parts = ",".join(f"{label} {n} 项" for label, n in self.pending.items() if n)
        waiting = f"已有 {self.total} 个期限待定（{parts}）" if self.total else "暂无待定期限"
        return (
            f"{years}法定节假日安排尚未录入：{waiting}。"
            "请在国务院办公厅公布通知后，于“系统管理 → 已覆盖年度 → 录入年度安排”中录入。"
        )


def calendar_warning(today: date, calendar: LegalCalendar | None = None) -> CalendarWarning | None:
    """The warning for ``today``: this year missing, or from 1 October next year missing."""
    if calendar is not None:
        covered = set(calendar.covered_years)
    else:  # only the covered years are needed: not every calendar day (a dashboard panel)
        from xinfang.core.models import CalendarYear

        covered = set(CalendarYear.objects.values_list("year", flat=True))
    needed = [today.year]
    if (today.month, today.day) >= WARN_FROM_MONTH_DAY:
        needed.append(today.year + 1)
    missing = tuple(y for y in needed if y not in covered)
    if not missing:
        return None
    return CalendarWarning(missing, pending_due_counts())


def build_calendar(rows: Iterable[tuple[date, bool, str]], years: Iterable[int]) -> LegalCalendar:
    exceptions: dict[date, bool] = {}
    names: dict[date, str] = {}
    for day, working, name in rows:
        exceptions[day] = working
        names[day] = name
    return LegalCalendar(frozenset(years), exceptions, names)


_HELD: ContextVar[LegalCalendar | None] = ContextVar("held_calendar", default=None)


@contextmanager
def held_calendar() -> Iterator[LegalCalendar]:
    """Load the calendar once and let every :func:`legal_calendar` inside the block use it
    (a batch that takes thousands of steps, such as a backlog import, in one transaction:
    the table cannot change under it meanwhile, since the batch does not edit it)."""
    calendar = _load_calendar()
    token = _HELD.set(calendar)
    try:
        yield calendar
    finally:
        _HELD.reset(token)


def legal_calendar() -> LegalCalendar:
    """Load the calendar from the database (two small queries; hold it for batches with
    :func:`held_calendar`)."""
    held = _HELD.get()
    if held is not None:
        return held
    return _load_calendar()


def _load_calendar() -> LegalCalendar:
    from xinfang.core.models import CalendarDay, CalendarYear

    years = CalendarYear.objects.values_list("year", flat=True)
    rows = CalendarDay.objects.values_list("date", "is_working_day", "name")
    return build_calendar(rows, years)


def add_calendar_days(start: date, days: int, *, calendar: LegalCalendar | None = None) -> date:
    """Due date ``days`` calendar days after ``start`` under the configured convention."""
    cal = calendar or legal_calendar()
    return cal.add_calendar_days(start, days, settings.XINFANG_DEADLINE_CONVENTION)


def add_working_days(start: date, days: int, *, calendar: LegalCalendar | None = None) -> date:
    """Due date ``days`` working days after ``start``."""
    return (calendar or legal_calendar()).add_working_days(start, days)


def is_working_day(day: date, *, calendar: LegalCalendar | None = None) -> bool:
    return (calendar or legal_calendar()).is_working_day(day)
