"""Seed the ``CalendarDay`` table from the ``chinese-calendar`` package."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants
from django.db import transaction

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def supported_years() -> range:
    days = list(constants.holidays) + list(constants.workdays)
    return range(min(days).year, max(days).year + 1)


def _name(value: object) -> str:
    text = str(getattr(value, "value", value) or "")
    english = text.split(",")[0]
    return HOLIDAY_NAMES_ZH.get(english, english)


def seed_rows(
    years: list[int] | range | None = None,
) -> tuple[list[tuple[date, bool, str]], list[int]]:
    """Every official exception to the Monday–Friday week in ``years``, with its name.

    Holidays are listed even when they fall on a weekend, so pages can name them.
    """
    chosen = list(years if years is not None else supported_years())
    rows: list[tuple[date, bool, str]] = []
    for year in chosen:
        day = date(year, 1, 1)
        while day.year == year:
            working = chinese_calendar.is_workday(day)
            name = ""
            if day in constants.workdays:
                name = _name(constants.workdays[day]) + "调休上班"
            elif day in constants.holidays:
                name = _name(constants.holidays[day])
            if working != (day.weekday() < 5) or name:
                rows.append((day, working, name))
            day += timedelta(days=1)
    return rows, chosen


@transaction.atomic
def seed_years(years: list[int] | range | None = None) -> int:
    """Write the exceptions of ``years`` (all the package knows by default); idempotent."""
    from xinfang.core.models import CalendarDay, CalendarYear

    rows, chosen = seed_rows(years)
    for day, working, name in rows:
        CalendarDay.objects.update_or_create(
            date=day, defaults={"is_working_day": working, "name": name}
        )
    for year in chosen:
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "chinese-calendar"})
    return len(rows)
