"""Recurring problems (每月一题, 未诉先办): matter types × places, month by month.

Aggregates only: a count of matters per matter type and place per month, never a person
or a matter's text; a pair is shown only when it recurs (matters in at least
``MIN_MONTHS`` of the months) and has at least ``MIN_MATTERS`` matters in all, so a rare
place-and-type pair cannot point at one petitioner. The top pairs are proposed as the
month's topics, with their trend (last month against the average of the months before).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncMonth

from xinfang.org.models import Unit
from xinfang.petitions.models import MatterType
from xinfang.statistics.figures import subtree_matters
from xinfang.statistics.periods import month_end, month_start, months_between, previous_month

__all__ = ["MIN_MATTERS", "MIN_MONTHS", "RecurringProblem", "recurring_problems"]

MIN_MONTHS = 2
MIN_MATTERS = 3
TOPICS = 5


@dataclass(frozen=True)
class RecurringProblem:
    matter_type: str
    place: str
    counts: list[int]  # per month, oldest first
    total: int
    months_present: int

    @property
    def trend(self) -> str:
        *before, last = self.counts
        average = sum(before) / len(before) if before else 0
        if last > average * 1.2:
            return "上升"
        if last < average * 0.8:
            return "下降"
        return "持平"


def recurring_problems(
    unit: Unit, end: date, months: int = 6
) -> tuple[list[date], list[RecurringProblem]]:
    """The months (oldest first) and the recurring pairs of ``unit``'s subtree, most
    matters first."""
    first = month_start(end)
    for _ in range(months - 1):
        first = previous_month(first)
    span = months_between(first, end)
    rows = (
        subtree_matters(unit)
        .filter(received_on__range=(first, month_end(end)))
        .order_by()
        .values(
            "place",
            month=TruncMonth("received_on"),
            kind_of=Coalesce("matter_type__parent_id", "matter_type_id"),
        )
        .annotate(n=Count("pk"))
    )
    index = {m: i for i, m in enumerate(span)}
    table: dict[tuple[int | None, str], list[int]] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        key = (row["kind_of"], (row["place"] or "").strip() or "未填写属地")
        table.setdefault(key, [0] * len(span))[index[month_start(month)]] += row["n"]
    names = dict(MatterType.objects.values_list("pk", "name"))
    found = [
        RecurringProblem(
            matter_type=names.get(kind, "未分类") if kind is not None else "未分类",
            place=place,
            counts=counts,
            total=sum(counts),
            months_present=sum(1 for c in counts if c),
        )
        for (kind, place), counts in table.items()
        if sum(1 for c in counts if c) >= MIN_MONTHS and sum(counts) >= MIN_MATTERS
    ]
    found.sort(key=lambda p: (-p.total, -p.months_present, p.matter_type, p.place))
    return span, found
