from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.errors import CalendarNotCovered
from xinfang.grids.cadence import (
    measure_patrols,
    missing_days,
    missing_weeks,
    staffing_ratio,
    working_days,
)

MON = date(2026, 9, 7)
WEEK = [MON + timedelta(days=i) for i in range(5)]


def weekday(day: date) -> bool:
    if day.year > 2026:
        raise CalendarNotCovered("not entered")
    return day.weekday() < 5


def test_working_days_leave_out_rest_days_and_years_not_entered():
    assert working_days(MON, MON + timedelta(days=6), weekday) == WEEK
    assert working_days(date(2026, 12, 31), date(2027, 1, 4), weekday) == [date(2026, 12, 31)]


def test_a_worker_meets_the_rule_with_a_patrol_each_day_and_a_third_of_the_time():
    measure = measure_patrols([(d, 160) for d in WEEK], WEEK)
    assert measure.ok and measure.share_in_grid == pytest.approx(1 / 3)


def test_a_day_without_a_patrol_breaks_the_rule_whatever_the_hours():
    measure = measure_patrols([(d, 480) for d in WEEK[:4]], WEEK)
    assert measure.days_without_patrol == (WEEK[4],) and not measure.ok


def test_less_than_a_third_of_working_time_in_the_grid_breaks_the_rule():
    measure = measure_patrols([(d, 159) for d in WEEK], WEEK)
    assert not measure.days_without_patrol and not measure.ok


def test_a_week_without_a_review_is_missing_and_partial_weeks_are_not_owed():
    weeks = missing_weeks(
        MON - timedelta(days=2), MON + timedelta(days=15), [MON + timedelta(days=3)]
    )
    assert weeks == [(MON + timedelta(days=7), MON + timedelta(days=13))]


@given(st.integers(0, 100_000), st.integers(0, 200), st.integers(1, 2000))
def test_the_staffing_ratio_needs_one_worker_per_started_block_of_households(
    households, workers, per
):
    ratio = staffing_ratio(households, workers, per)
    assert ratio.needed * per >= households > (ratio.needed - 1) * per or households == 0
    assert ratio.ok == (workers * per >= households or workers >= ratio.needed)


def test_the_staffing_ratio_says_what_is_missing():
    assert (
        staffing_ratio(2000, 2, 900).text()
        == "2000 户，专职网格员 2 人，按每 900 户 1 人需 3 人：缺 1 人"
    )


@given(
    st.lists(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20),
    st.lists(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20),
)
def test_missing_days_are_the_owed_days_not_done(owed, done):
    assert set(missing_days(owed, done)) == set(owed) - set(done)
