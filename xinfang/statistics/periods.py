"""Periods of the statistics: a month, a quarter, a year or custom dates (pure, no ORM)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from xinfang.statistics.errors import PeriodInvalid

__all__ = ["Period", "PeriodKind", "month_end", "month_start", "months_between", "parse_period"]

PeriodKind = Literal["month", "quarter", "year", "custom"]
# A custom period longer than this is refused: the statistics count it in one pass, and
# a decade of matters in one page answers nobody's question.
MAX_CUSTOM_DAYS = 3 * 366


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(month: date) -> date:
    return month_start(month_start(month) - timedelta(days=1))


def months_between(start: date, end: date) -> list[date]:
    """First days of the months that ``[start, end]`` touches, in order."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = month_start(month_end(month) + timedelta(days=1))
    return months


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"

    @property
    def value(self) -> str:
        """The period as its query parameter reads (``2026-08``, ``2026-Q3``, ``2026``)."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"

    def query(self) -> str:
        return f"period={self.value}"

    @classmethod
    def month(cls, day: date) -> Period:
        return cls("month", month_start(day), month_end(day))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", date(year, 1, 1), date(year, 12, 31))


def parse_period(raw: str | None, *, today: date) -> Period:
    """``2026-08`` (month), ``2026-Q3``, ``2026``, ``2026-01-05~2026-02-10``; empty: this
    month. Anything else is :class:`PeriodInvalid` (shown in Chinese, never a 500)."""
    text = (raw or "").strip()
    try:
        if not text:
            return Period.month(today)
        if "~" in text:
            first, last = (date.fromisoformat(part.strip()) for part in text.split("~", 1))
            if last < first or (last - first).days > MAX_CUSTOM_DAYS:
                raise PeriodInvalid("统计期间须在三年以内，且结束日期不早于开始日期")
            return Period("custom", first, last)
        if "-Q" in text.upper():
            year, quarter = text.upper().split("-Q")
            q = int(quarter)
            if not 1 <= q <= 4:
                raise ValueError(text)
            first = date(int(year), 3 * q - 2, 1)
            return Period("quarter", first, month_end(date(int(year), 3 * q, 1)))
        if len(text) == 4:
            return Period.year(int(text))
        year, month = text.split("-")
        return Period.month(date(int(year), int(month), 1))
    except (ValueError, OverflowError) as exc:
        raise PeriodInvalid("统计期间格式不正确（例：2026-08、2026-Q3、2026）") from exc
