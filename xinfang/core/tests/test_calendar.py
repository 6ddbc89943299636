"""The legal clock against the State Council's 2026 schedule (seeded from chinese-calendar)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.core import calendar
from xinfang.core.calendar import START_DAY_COUNTED, LegalCalendar, build_calendar
from xinfang.core.calendar_seed import seed_rows
from xinfang.core.errors import CalendarNotCovered, DeadlineError
from xinfang.core.models import CalendarDay, CalendarYear

# A pure calendar (no database) for the property tests: the seed the migration loads.
_ROWS, _YEARS = seed_rows(range(2010, 2027))
PURE = build_calendar(_ROWS, _YEARS)

D = date


@pytest.fixture
def cal(db: None) -> LegalCalendar:
    return calendar.legal_calendar()


# --- the 2026 schedule as seeded ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 14), True),  # Saturday, make-up working day before the Spring Festival
        *[(D(2026, 2, 15) + timedelta(days=i), False) for i in range(9)],  # Feb 15–23
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, make-up working day after it
        *[(D(2026, 5, 1) + timedelta(days=i), False) for i in range(5)],  # May 1–5
        (D(2026, 5, 9), True),  # Saturday, make-up
        (D(2026, 5, 10), False),
        (D(2026, 9, 20), True),  # Sunday, make-up before National Day
        *[(D(2026, 10, 1) + timedelta(days=i), False) for i in range(7)],  # Oct 1–7
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, make-up
        (D(2026, 10, 11), False),
    ],
)
def test_2026_holidays_and_make_up_days_are_seeded(
    cal: LegalCalendar, day: date, working: bool
) -> None:
    assert cal.is_working_day(day) is working


def test_period_ending_in_spring_festival_moves_to_first_working_day_after(
    cal: LegalCalendar,
) -> None:
    # 2026-02-08 + 7 days = Sunday Feb 15, the first day of the holiday (民法典 Art. 203).
    assert cal.add_calendar_days(D(2026, 2, 8), 7) == D(2026, 2, 24)


def test_period_ending_on_make_up_saturday_stays_there(cal: LegalCalendar) -> None:
    assert cal.add_calendar_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_calendar_days(D(2026, 2, 27), 1) == D(2026, 2, 28)


def test_start_day_is_not_counted(cal: LegalCalendar) -> None:
    # 15 days from Tuesday 2026-03-03 end on Wednesday 03-18 (民法典 Art. 201).
    assert cal.add_calendar_days(D(2026, 3, 3), 15) == D(2026, 3, 18)


def test_working_days_count_make_up_saturday_and_skip_spring_festival(
    cal: LegalCalendar,
) -> None:
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert cal.add_working_days(D(2026, 2, 26), 2) == D(2026, 2, 28)
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6


def test_labour_day_calendar_and_working_day_periods(cal: LegalCalendar) -> None:
    assert cal.add_calendar_days(D(2026, 4, 30), 1) == D(2026, 5, 6)
    assert cal.add_working_days(D(2026, 5, 8), 1) == D(2026, 5, 9)
    # Five working days to object to a hand-over (Art. 23): May 6, 7, 8, 9 (make-up), 11.
    assert cal.add_working_days(D(2026, 4, 30), 5) == D(2026, 5, 11)


def test_accept_deadline_moves_past_national_day(cal: LegalCalendar) -> None:
    # 15 days after 2026-09-16 is Oct 1: the period ends on Thursday Oct 8 (Art. 22 + 203).
    assert cal.add_calendar_days(D(2026, 9, 16), 15) == D(2026, 10, 8)


def test_national_day_make_up_sunday_and_saturday_are_working_days(
    cal: LegalCalendar,
) -> None:
    assert cal.add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3


def test_sixty_day_handling_period_across_national_day(cal: LegalCalendar) -> None:
    # Art. 34: 60 days from acceptance on 2026-08-02 end on Thursday Oct 1 → Oct 8.
    assert cal.add_calendar_days(D(2026, 8, 2), 60) == D(2026, 10, 8)


def test_module_functions_load_the_table(db: None) -> None:
    assert calendar.add_calendar_days(D(2026, 9, 16), 15) == D(2026, 10, 8)
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.is_working_day(D(2026, 10, 10)) is True


# --- the convention setting ----------------------------------------------------------------


def test_convention_setting_counts_start_day(db: None, settings: object) -> None:
    settings.XINFANG_DEADLINE_CONVENTION = START_DAY_COUNTED  # type: ignore[attr-defined]
    assert calendar.add_calendar_days(D(2026, 3, 3), 15) == D(2026, 3, 17)
    # The rest-day rule still applies: 2026-09-17 counted as day 1 ends on Oct 1 → Oct 8.
    assert calendar.add_calendar_days(D(2026, 9, 17), 15) == D(2026, 10, 8)


def test_unknown_convention_is_an_error(cal: LegalCalendar) -> None:
    with pytest.raises(DeadlineError, match="未知的期限计算规则"):
        cal.add_calendar_days(D(2026, 3, 3), 15, convention="lunar")


def test_non_positive_period_is_an_error(cal: LegalCalendar) -> None:
    with pytest.raises(DeadlineError, match="正整数"):
        cal.add_calendar_days(D(2026, 3, 3), 0)
    with pytest.raises(DeadlineError, match="正整数"):
        cal.add_working_days(D(2026, 3, 3), -1)


# --- coverage -----------------------------------------------------------------------------


def test_2027_is_not_covered_and_says_so_in_chinese(cal: LegalCalendar) -> None:
    with pytest.raises(CalendarNotCovered) as excinfo:
        cal.add_calendar_days(D(2027, 1, 4), 15)
    message = str(excinfo.value)
    assert "2027 年" in message
    assert "尚未录入" in message
    assert "管理员" in message


def test_period_running_into_uncovered_year_raises_instead_of_guessing(
    cal: LegalCalendar,
) -> None:
    with pytest.raises(CalendarNotCovered):
        cal.add_calendar_days(D(2026, 12, 20), 15)
    with pytest.raises(CalendarNotCovered):
        cal.add_working_days(D(2026, 12, 28), 5)


def test_admin_edited_calendar_day_changes_the_due_date(db: None) -> None:
    assert calendar.add_calendar_days(D(2026, 3, 3), 15) == D(2026, 3, 18)
    CalendarDay.objects.create(date=D(2026, 3, 18), is_working_day=False, name="临时调整")
    assert calendar.add_calendar_days(D(2026, 3, 3), 15) == D(2026, 3, 19)
    CalendarDay.objects.filter(date=D(2026, 2, 14)).update(is_working_day=False)
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 24)


def test_entering_a_year_makes_it_computable(db: None) -> None:
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    assert calendar.add_calendar_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


# --- properties ---------------------------------------------------------------------------

starts = st.dates(min_value=D(2010, 1, 1), max_value=D(2026, 8, 31))
periods = st.integers(min_value=1, max_value=60)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=periods)
def test_due_date_is_never_a_rest_day(start: date, days: int) -> None:
    assert PURE.is_working_day(PURE.add_calendar_days(start, days))
    assert PURE.is_working_day(PURE.add_working_days(start, days))


@settings(max_examples=300, deadline=None)
@given(start=starts, days=periods)
def test_due_date_is_never_earlier_than_start_plus_n(start: date, days: int) -> None:
    due = PURE.add_calendar_days(start, days)
    assert due >= start + timedelta(days=days)
    # ...and only a run of rest days pushes it later: the longest was 24 Jan–2 Feb 2020
    # (Spring Festival extended by the State Council), 10 days.
    assert due - (start + timedelta(days=days)) <= timedelta(days=10)
    assert PURE.add_working_days(start, days) >= start + timedelta(days=days)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=periods)
def test_working_day_count_is_consistent(start: date, days: int) -> None:
    due = PURE.add_working_days(start, days)
    assert PURE.working_days_between(start, due) == days
    assert PURE.working_days_between(start, due - timedelta(days=1)) == days - 1
