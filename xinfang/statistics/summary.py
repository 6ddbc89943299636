"""The statistics of a unit's subtree over a period, its child units side by side.

One pass of :func:`xinfang.statistics.figures.count_figures` over the subtree's matters,
grouped by responsible unit, then added up per child unit by path: about twenty queries,
however many units. The monthly trend reads the materialised aggregates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.choices import Channel, Kind
from xinfang.petitions.measures import Counts, MeasureWindow, Ratio, level_rank
from xinfang.petitions.models import MatterType
from xinfang.statistics.aggregates import MonthFigures, rollup_month
from xinfang.statistics.figures import UnitFigures, count_figures, subtree_matters
from xinfang.statistics.periods import Period, month_start, months_between, previous_month

__all__ = [
    "StatRow",
    "Statistics",
    "TrendPoint",
    "figure_query",
    "statistics_of",
    "subtree_statistics",
    "trend",
]


@dataclass
class StatRow:
    """One line of the table: a unit's subtree (or the root's own matters)."""

    unit: Unit
    label: str
    figures: UnitFigures
    escalated: int
    own: bool = False  # the root's own matters, not its subtree

    def count(self, key: str) -> int:
        return self.figures.count(key)

    @property
    def rates(self) -> dict[str, Ratio]:
        m = self.figures.measures
        return {
            "timely": m.timely_acceptance,
            "completion": m.on_time_completion,
            "satisfaction": m.satisfaction,
        }


@dataclass
class Statistics:
    root: Unit
    period: Period
    window: MeasureWindow
    total: StatRow
    rows: list[StatRow]
    channels: list[tuple[str, str]] = field(default_factory=list)
    kinds: list[tuple[str, str]] = field(default_factory=list)
    matter_types: list[tuple[str, str]] = field(default_factory=list)


def _owner(path: str, by_path: dict[str, int]) -> int | None:
    cut = path.find("/")
    while cut != -1:
        owner = by_path.get(path[: cut + 1])
        if owner is not None:
            return owner
        cut = path.find("/", cut + 1)
    return None


def _total(figures: list[UnitFigures]) -> UnitFigures:
    """The sum of many units' figures (one Counter update each, not a new one per add)."""
    counts: Counter[str] = Counter()
    measures = Counts()
    for f in figures:
        counts.update(f.counts)
        measures = measures + f.measures
    return UnitFigures(measures, counts)


def subtree_statistics(root: Unit, period: Period, *, today: date | None = None) -> Statistics:
    """Every figure of ``root``'s subtree over ``period``, and of each child unit, counted
    from the matters now."""
    w = MeasureWindow.of(period.start, period.end, today=today or timezone.localdate())
    return statistics_of(root, period, w, count_figures(subtree_matters(root), w))


def statistics_of(
    root: Unit, period: Period, w: MeasureWindow, per_unit: dict[Any, UnitFigures]
) -> Statistics:
    """The table of ``root``'s subtree from each responsible unit's figures (counted now,
    or read from the yearly aggregates)."""
    units = dict(Unit.objects.filter(subtree_q(root.path)).values_list("pk", "path"))
    children = list(root.children.filter(is_active=True).order_by("path"))
    by_path = {c.path: c.pk for c in children}
    parts: dict[int | None, list[UnitFigures]] = {c.pk: [] for c in children}
    parts[None] = []
    for unit_id, figures in per_unit.items():
        path = units.get(unit_id)
        if path is None:  # not in the subtree (the aggregates are read by path range)
            continue
        parts[_owner(path, by_path)].append(figures)
    sums = {pk: _total(fs) for pk, fs in parts.items()}
    own = sums[None]
    total = _total([sums[pk] for pk in parts])
    rank = level_rank(root)
    rows = [
        StatRow(c, c.name, sums[c.pk], sums[c.pk].measures.escalated_above(level_rank(c)))
        for c in children
    ]
    rows.insert(
        0, StatRow(root, f"{root.name}（本级）", own, own.measures.escalated_above(rank), True)
    )
    used_types = sorted({k.split(":", 1)[1] for k in total.counts if k.startswith("matter_type:")})
    names = dict(
        MatterType.objects.filter(pk__in=[int(t) for t in used_types if t.isdigit()]).values_list(
            "pk", "name"
        )
    )
    return Statistics(
        root=root,
        period=period,
        window=w,
        total=StatRow(root, "合计", total, total.measures.escalated_above(rank)),
        rows=rows,
        channels=[(str(v), str(label)) for v, label in Channel.choices],
        kinds=[(str(v), str(label)) for v, label in Kind.choices],
        matter_types=[(t, names.get(int(t), t) if t.isdigit() else "未分类") for t in used_types],
    )


@dataclass(frozen=True)
class TrendPoint:
    month: date
    figures: MonthFigures

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


def trend(root: Unit, end: date, months: int = 12) -> list[TrendPoint]:
    """The root's subtree month by month (from the aggregates), ``months`` up to ``end``."""
    first = month_start(end)
    for _ in range(months - 1):
        first = previous_month(first)
    return [
        TrendPoint(m, rollup_month(root, [root], m)[root.pk]) for m in months_between(first, end)
    ]


def figure_query(root: Unit, period: Period, key: str) -> dict[str, Any]:
    """URL parameters of the drill-down list behind a figure."""
    return {"unit": root.pk, "period": period.value, "figure": key}
