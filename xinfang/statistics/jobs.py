"""The recount the nightly task and ``xinfang refresh_statistics`` run, and the warming of
the default rankings after it."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from xinfang.statistics.aggregates import refresh_statistics
from xinfang.statistics.periods import months_between, previous_month
from xinfang.statistics.ranking import warm_rankings

__all__ = ["recount_recent_months", "warm_default_rankings"]


def recount_recent_months(months: int = 2, *, today: date | None = None) -> int:
    """Recount the last ``months`` months up to today and the years they fall in;
    returns the rows written."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = previous_month(first)
    return refresh_statistics(months_between(first, today), today=today)


def warm_default_rankings(*, today: date | None = None) -> int:
    """After a recount: the default rankings of the month the ranking page opens with
    (last month) computed and cached; returns how many."""
    today = today or timezone.localdate()
    return warm_rankings(previous_month(today))
