from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from xinfang.core.periods import Cadence, missing_periods, periods

CADENCES = [Cadence.DAILY, Cadence.WEEKLY, Cadence.HALF_MONTHLY, Cadence.MONTHLY, Cadence.QUARTERLY]


@given(
    st.sampled_from(CADENCES), st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(0, 200)
)
def test_clipped_windows_cover_the_range_exactly_once(cadence, start, length):
    end = start + timedelta(days=length)
    windows = periods(cadence, start, end)
    assert windows[0][0] == start and windows[-1][1] == end
    for (_a, b), (c, _d) in pairwise(windows):
        assert c == b + timedelta(days=1)


def test_a_week_runs_monday_to_sunday_unclipped():
    assert periods(Cadence.WEEKLY, date(2026, 9, 2), date(2026, 9, 3), clip=False) == [
        (date(2026, 8, 31), date(2026, 9, 6))
    ]


def test_a_window_is_missing_only_once_it_has_ended_without_anything_held():
    missing = missing_periods(
        Cadence.WEEKLY, date(2026, 8, 31), date(2026, 9, 20), [date(2026, 9, 9)], date(2026, 9, 15)
    )
    assert missing == [(date(2026, 8, 31), date(2026, 9, 6))]
