"""Report within a month and passports back within 15 days of return, on the legal clock."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.calendar import legal_calendar
from xinfang.trips.clock import add_months, passport_due, report_due


def test_a_month_after_the_last_of_january_is_the_end_of_february() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


@pytest.mark.django_db
def test_the_passport_due_moves_past_national_day() -> None:
    # Back on 2026-09-16: the fifteenth day is 1 October, the holiday runs to the 7th (8th
    # is a working day in 2026's schedule or later): the due moves to the first working day.
    due = passport_due(date(2026, 9, 16), legal_calendar())
    assert due.on is not None and due.on > date(2026, 10, 1)
    assert legal_calendar().is_working_day(due.on)


@pytest.mark.django_db
def test_the_report_is_due_a_month_after_return() -> None:
    due = report_due(date(2026, 9, 9), legal_calendar())
    assert due.on == date(2026, 10, 9) and not due.pending


@pytest.mark.django_db
def test_a_year_not_entered_gives_a_pending_due(year_2027_not_entered: None) -> None:
    due = report_due(date(2026, 12, 20), legal_calendar())
    assert due.pending and due.not_before == date(2027, 1, 20)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.integers(0, 24))
def test_adding_months_never_passes_the_target_month(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
