"""Calendar windows of a cadence, as pure functions over dates (no ORM, no other app).

A period is a calendar window: a day; a week Monday–Sunday; a half-month the 1st–15th or
the 16th–last day; a month; a quarter. A schedule over ``[start, end]`` is the windows that
intersect it, clipped to it by default. Used by the ledgers (screening rounds, reports,
meetings) and the grids (patrols, logs, the daily meeting and the weekly review), which is
why it lives here rather than in either app.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Cadence", "Window", "missing_periods", "month_end", "periods", "window_of"]

Window = tuple[date, date]


class Cadence(models.TextChoices):
    """How often a duty recurs (a screening round, a report, a meeting, a review)."""

    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    HALF_MONTHLY = "half_monthly", _("每半月")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    ONCE = "once", _("一次性")


def month_end(day: date) -> date:
    return day.replace(day=_cal.monthrange(day.year, day.month)[1])


def window_of(cadence: str, day: date) -> Window:
    """The window of ``cadence`` that holds ``day``."""
    if cadence == Cadence.DAILY:
        return day, day
    if cadence == Cadence.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if cadence == Cadence.HALF_MONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), month_end(day)
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1), month_end(day)
    if cadence == Cadence.QUARTERLY:
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        return start, month_end(date(day.year, first_month + 2, 1))
    raise ValueError(f"unknown cadence {cadence!r}")


def periods(cadence: str, start: date, end: date, *, clip: bool = True) -> list[Window]:
    """The windows of ``cadence`` that intersect ``[start, end]`` (clipped by default)."""
    if end < start:
        return []
    out: list[Window] = []
    day = start
    while day <= end:
        w_start, w_end = window_of(cadence, day)
        out.append((max(w_start, start), min(w_end, end)) if clip else (w_start, w_end))
        day = w_end + timedelta(days=1)
    return out


def missing_periods(
    cadence: str,
    valid_from: date,
    valid_to: date,
    held_days: Iterable[date],
    today: date,
) -> list[Window]:
    """Windows (ended before ``today``) in which nothing was held on any day."""
    held = sorted(set(held_days))
    out: list[Window] = []
    for w_start, w_end in periods(cadence, valid_from, valid_to):
        if w_end >= today:
            break
        if not any(w_start <= d <= w_end for d in held):
            out.append((w_start, w_end))
    return out
