"""The cadence of grid work as pure functions over dates (no ORM).

The seed's rules (哈办发〔2011〕14号): a grid worker patrols at least once every working
day and spends at least a third of working time in the grid; the community meets every
working day to close the day's items (当日清); the street reviews weekly; the street's
supervisor patrols each grid at least weekly. Staffing: about one full-time community
worker per 900 households (configurable).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from xinfang.core.errors import CalendarNotCovered
from xinfang.core.periods import Cadence, periods

__all__ = [
    "MIN_SHARE_IN_GRID",
    "PatrolMeasure",
    "StaffingRatio",
    "measure_patrols",
    "missing_days",
    "missing_weeks",
    "staffing_ratio",
    "working_days",
]

MIN_SHARE_IN_GRID = 1 / 3
WORKING_MINUTES_PER_DAY = 8 * 60


def working_days(start: date, end: date, is_working_day: Callable[[date], bool]) -> list[date]:
    """Working days in ``[start, end]``; a day of a year the calendar does not cover is left
    out (nothing is owed on a day the law's calendar cannot yet call a working day)."""
    days = []
    day = start
    while day <= end:
        try:
            if is_working_day(day):
                days.append(day)
        except CalendarNotCovered:
            pass
        day += timedelta(days=1)
    return days


def missing_days(owed: Iterable[date], done: Iterable[date]) -> list[date]:
    held = set(done)
    return [day for day in owed if day not in held]


def missing_weeks(start: date, end: date, done: Iterable[date]) -> list[tuple[date, date]]:
    """Monday–Sunday weeks wholly in ``[start, end]`` without any day in ``done``."""
    held = set(done)
    return [
        (monday, sunday)
        for monday, sunday in periods(Cadence.WEEKLY, start, end, clip=False)
        if start <= monday
        and sunday <= end
        and not any(monday + timedelta(days=i) in held for i in range(7))
    ]


@dataclass(frozen=True)
class PatrolMeasure:
    """One worker's patrols over some working days, against the seed's two rules."""

    working_days: int
    days_without_patrol: tuple[date, ...]
    minutes_in_grid: int
    share_in_grid: float

    @property
    def ok(self) -> bool:
        return not self.days_without_patrol and self.share_in_grid >= MIN_SHARE_IN_GRID


def measure_patrols(
    patrols: Iterable[tuple[date, int]],
    days: Iterable[date],
    minutes_per_day: int = WORKING_MINUTES_PER_DAY,
) -> PatrolMeasure:
    """``patrols`` as (day, minutes); ``days`` the working days owed."""
    owed = list(days)
    owed_set = set(owed)
    rows = [(day, minutes) for day, minutes in patrols if day in owed_set]
    minutes = sum(m for _, m in rows)
    share = minutes / (len(owed) * minutes_per_day) if owed else 1.0
    without = tuple(missing_days(owed, (day for day, _ in rows)))
    return PatrolMeasure(len(owed), without, minutes, share)


@dataclass(frozen=True)
class StaffingRatio:
    households: int
    workers: int
    per_worker: int

    @property
    def needed(self) -> int:
        return math.ceil(self.households / self.per_worker) if self.households else 0

    @property
    def ok(self) -> bool:
        return self.workers >= self.needed

    def text(self) -> str:
        verdict = "达标" if self.ok else f"缺 {self.needed - self.workers} 人"
        return (
            f"{self.households} 户，专职网格员 {self.workers} 人，"
            f"按每 {self.per_worker} 户 1 人需 {self.needed} 人：{verdict}"
        )


def staffing_ratio(households: int, workers: int, per_worker: int) -> StaffingRatio:
    if per_worker <= 0:
        raise ValueError("per_worker must be positive")
    return StaffingRatio(households, workers, per_worker)
