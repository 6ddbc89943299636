"""The recount the nightly task and ``xinfang refresh_statistics`` run."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from xinfang.statistics.aggregates import refresh_statistics
from xinfang.statistics.periods import months_between, previous_month

__all__ = ["recount_recent_months"]


def recount_recent_months(months: int = 2, *, today: date | None = None) -> int:
    """Recount the last ``months`` months up to today and the years they fall in;
    returns the rows written."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = previous_month(first)
    return refresh_statistics(months_between(first, today), today=today)
