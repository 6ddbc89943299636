"""Periods: what the period parameter accepts and refuses (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.statistics.errors import PeriodInvalid
from xinfang.statistics.periods import Period, months_between, parse_period

TODAY = date(2026, 9, 1)


def test_empty_period_is_this_month() -> None:
    assert parse_period("", today=TODAY) == Period("month", date(2026, 9, 1), date(2026, 9, 30))


def test_month_quarter_year_and_custom_parse_to_their_days() -> None:
    assert parse_period("2026-02", today=TODAY).end == date(2026, 2, 28)
    q3 = parse_period("2026-Q3", today=TODAY)
    assert (q3.start, q3.end, q3.label) == (date(2026, 7, 1), date(2026, 9, 30), "2026年第3季度")
    assert parse_period("2026", today=TODAY).end == date(2026, 12, 31)
    custom = parse_period("2026-01-05~2026-02-10", today=TODAY)
    assert (custom.kind, custom.start, custom.end) == (
        "custom",
        date(2026, 1, 5),
        date(2026, 2, 10),
    )


@pytest.mark.parametrize("raw", ["2026-13", "2026-Q5", "yesterday", "2026-03-01~2026-01-01"])
def test_a_period_that_does_not_parse_is_refused_in_chinese(raw: str) -> None:
    with pytest.raises(PeriodInvalid, match="统计期间"):
        parse_period(raw, today=TODAY)


def test_a_custom_period_longer_than_three_years_is_refused() -> None:
    with pytest.raises(PeriodInvalid):
        parse_period("2020-01-01~2026-01-01", today=TODAY)


def test_the_value_of_a_period_parses_back_to_it() -> None:
    for raw in ("2026-08", "2026-Q1", "2025", "2026-01-05~2026-02-10"):
        period = parse_period(raw, today=TODAY)
        assert parse_period(period.value, today=TODAY) == period


def test_months_between_lists_every_month_touched() -> None:
    assert months_between(date(2025, 11, 20), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
