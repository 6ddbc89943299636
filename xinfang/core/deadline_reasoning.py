"""Why a period ends when it does: the due date with its reasoning, in Chinese.

A pure function over :class:`~xinfang.core.calendar.LegalCalendar` (no ORM), shared by the
staff calculator page (期限计算器) and ``xinfang deadline``. It computes the due date the
same way as the legal clock (the start day not counted, 民法典 Art. 201; a last day on a
statutory rest day moved to the next working day, Art. 203; make-up working days counted
as working days) and says at each step why. A result in a year whose schedule is not
entered is pending, with the earliest day it can be (``earliest_due``), never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from xinfang.core.calendar import CIVIL_CODE, CONVENTIONS, LegalCalendar, earliest_due
from xinfang.core.errors import DeadlineError
from xinfang.core.holidays import weekday_zh

__all__ = ["MAX_DAYS", "DeadlineReasoning", "check_period", "explain_deadline"]

# Ten years: far beyond any period of the regulation, and a bound on the day-by-day walk.
MAX_DAYS = 3660


@dataclass(frozen=True)
class DeadlineReasoning:
    """The due date (``None`` while pending), its lower bound when pending, and the steps."""

    start: date
    days: int
    working: bool
    convention: str
    due: date | None
    not_before: date | None
    pending_year: int | None
    steps: tuple[str, ...]

    @property
    def pending(self) -> bool:
        return self.due is None


class _Uncovered(Exception):
    def __init__(self, year: int) -> None:
        self.year = year


def _day(d: date, note: str = "") -> str:
    return f"{d}（{weekday_zh(d)}{'，' + note if note else ''}）"


def _is_working(cal: LegalCalendar, day: date) -> bool:
    if day.year not in cal.covered_years:
        raise _Uncovered(day.year)
    return cal.is_working_day(day)


def _rest_reason(cal: LegalCalendar, day: date) -> str:
    """``国庆节`` for an official holiday, ``周六`` for a plain weekend day."""
    name = cal.names.get(day, "")
    if name and day.weekday() >= 5:
        return f"{name}（{weekday_zh(day)}）"
    return name or weekday_zh(day)


def _runs(cal: LegalCalendar, days: list[date]) -> str:
    """Consecutive rest days as ranges with their reasons: ``10-01 至 10-08（国庆节）``."""
    groups: list[list[date]] = []
    for day in days:
        if groups and groups[-1][-1] + timedelta(days=1) == day:
            groups[-1].append(day)
        else:
            groups.append([day])
    parts = []
    for group in groups:
        names = list(dict.fromkeys(cal.names[d] for d in group if cal.names.get(d)))
        reason = "、".join(names) if names else "周末"
        span = str(group[0]) if len(group) == 1 else f"{group[0]} 至 {group[-1]}"
        parts.append(f"{span}（{reason}）")
    return "、".join(parts)


def check_period(days: int, convention: str) -> None:
    """Refuse, with a Chinese :class:`DeadlineError`, what no calendar can answer."""
    if not 1 <= days <= MAX_DAYS:
        raise DeadlineError(f"期限天数必须是 1 至 {MAX_DAYS} 之间的整数")
    if convention not in CONVENTIONS:
        raise DeadlineError(f"未知的期限计算规则：{convention}（可选 {'、'.join(CONVENTIONS)}）")


def explain_deadline(
    cal: LegalCalendar,
    start: date,
    days: int,
    *,
    working: bool = False,
    convention: str = CIVIL_CODE,
) -> DeadlineReasoning:
    """The due date of a period of ``days`` (calendar or working) days from ``start``.

    Raises :class:`DeadlineError` for a period that is not 1…MAX_DAYS days or an unknown
    convention; a result the calendar does not cover is returned pending, not raised.
    """
    check_period(days, convention)
    steps: list[str] = []
    try:
        due = (
            _working_days(cal, start, days, convention, steps)
            if working
            else _calendar_days(cal, start, days, convention, steps)
        )
    except _Uncovered as exc:
        # Working-day periods get the civil-code bound whatever the convention: the start
        # day never counts for them (see LegalCalendar.add_working_days).
        not_before = earliest_due(start, days, convention if not working else CIVIL_CODE)
        steps.append(
            f"{exc.year} 年的法定节假日安排尚未录入，届满日待定，不早于 {not_before}"
            "（录入该年度安排后即可确定）。"
        )
        return DeadlineReasoning(
            start, days, working, convention, None, not_before, exc.year, tuple(steps)
        )
    return DeadlineReasoning(start, days, working, convention, due, None, None, tuple(steps))


def _calendar_days(
    cal: LegalCalendar, start: date, days: int, convention: str, steps: list[str]
) -> date:
    if convention == CIVIL_CODE:
        steps.append(
            f"起算日 {_day(start)}不计入期间（民法典第二百零一条），自次日起算 {days} 日。"
        )
        last = start + timedelta(days=days)
    else:
        steps.append(f"起算日 {_day(start)}计入期间（start-day-counted 规则），共 {days} 日。")
        last = start + timedelta(days=days - 1)
    steps.append(f"期间最后一日为 {_day(last)}。")
    skipped = []
    due = last
    while not _is_working(cal, due):
        skipped.append(due)
        due += timedelta(days=1)
    if not skipped:
        steps.append(f"{last} 是工作日，期限于当日届满。")
    else:
        steps.append(
            f"期间最后一日 {last} 为 {_rest_reason(cal, last)}，依民法典第二百零三条顺延至"
            f"其后第一个工作日 {_day(due)}。"
        )
        if len(skipped) > 1:
            steps.append(f"顺延经过的休息日：{_runs(cal, skipped)}。")
    if due.weekday() >= 5:
        steps.append(f"{due} 虽是{weekday_zh(due)}，但为调休上班日，是工作日。")
    steps.append(f"届满日：{due}。")
    return due


def _working_days(
    cal: LegalCalendar, start: date, days: int, convention: str, steps: list[str]
) -> date:
    first = f"起算日 {_day(start)}不计入，自次日起数 {days} 个工作日。"
    if convention != CIVIL_CODE:
        first += "（工作日期间的起算日一律不计入，start-day-counted 规则不适用。）"
    steps.append(first)
    skipped: list[date] = []
    makeup: list[date] = []
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if _is_working(cal, day):
            remaining -= 1
            if day.weekday() >= 5:
                makeup.append(day)
        else:
            skipped.append(day)
    if skipped:
        steps.append(f"跳过休息日 {len(skipped)} 天：{_runs(cal, skipped)}。")
    else:
        steps.append("其间没有休息日。")
    if makeup:
        listed = "、".join(_day(d, cal.names.get(d, "")) for d in makeup)
        steps.append(f"计入调休上班日 {len(makeup)} 天：{listed}。")
    steps.append(f"第 {days} 个工作日为 {_day(day)}，即届满日。")
    return day
