"""The monthly aggregates (:class:`UnitMonth`): rebuilt from the matters, read by subtree.

Materialised rather than maintained by the matters' own writes: petitions sit below this
app and must not call it, and a month rebuilt by the very counting function the pages use
(:func:`xinfang.petitions.measures.count_measures`) cannot drift from them. A month's rows
are replaced in one transaction (about ten grouped queries over the matters, whatever the
number of units). The nightly job recounts this month and the last; ``xinfang
refresh_statistics`` and the ranking page's button recount on demand.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.measures import Backlog, Counts, MeasureWindow, Ratio, count_measures
from xinfang.petitions.models import Petition
from xinfang.statistics.models import UnitMonth
from xinfang.statistics.periods import month_end, month_start

__all__ = ["MonthFigures", "counted_at", "refresh_months", "rollup_month"]


@dataclass(frozen=True)
class MonthFigures:
    """A subtree's month: matters received and the measures."""

    received: int = 0
    measures: Counts = field(default_factory=Counts)

    def __add__(self, other: MonthFigures) -> MonthFigures:
        return MonthFigures(self.received + other.received, self.measures + other.measures)


def _to_row(unit_id: int, path: str, month: date, counts: Counts, received: int) -> UnitMonth:
    return UnitMonth(
        unit_id=unit_id,
        unit_path=path,
        month=month,
        received=received,
        timely_numerator=counts.timely_acceptance.numerator,
        timely_denominator=counts.timely_acceptance.denominator,
        timely_pending=counts.timely_acceptance.pending,
        completion_numerator=counts.on_time_completion.numerator,
        completion_denominator=counts.on_time_completion.denominator,
        completion_pending=counts.on_time_completion.pending,
        satisfied=counts.satisfaction.numerator,
        rated=counts.satisfaction.denominator,
        backlog=counts.backlog.total,
        backlog_over_5y=counts.backlog.over_5y,
        backlog_over_10y=counts.backlog.over_10y,
        resolved=counts.backlog_resolved.total,
        repeat=counts.repeat,
        reached={str(k): v for k, v in counts.reached.items()},
        counted_at=timezone.now(),
    )


_COLUMNS = (
    "unit_path",
    "received",
    "timely_numerator",
    "timely_denominator",
    "timely_pending",
    "completion_numerator",
    "completion_denominator",
    "completion_pending",
    "satisfied",
    "rated",
    "backlog",
    "backlog_over_5y",
    "backlog_over_10y",
    "resolved",
    "repeat",
    "reached",
)


def _from_values(v: tuple[Any, ...]) -> MonthFigures:
    (
        _path,
        received,
        tn,
        td,
        tp,
        cn,
        cd,
        cp,
        sat,
        rated,
        backlog,
        b5,
        b10,
        resolved,
        repeat,
        reached,
    ) = v
    return MonthFigures(
        received,
        Counts(
            timely_acceptance=Ratio(tn, td, tp),
            on_time_completion=Ratio(cn, cd, cp),
            satisfaction=Ratio(sat, rated),
            backlog=Backlog(backlog, b5, b10),
            # The month's resolved backlog is kept as a total; its age bands depend on the
            # period's end and are counted live by the pages that show them.
            backlog_resolved=Backlog(resolved),
            repeat=repeat,
            reached={int(k): n for k, n in (reached or {}).items()},
        ),
    )


@transaction.atomic
def refresh_months(months: Iterable[date], *, today: date | None = None) -> int:
    """Recount the given months for every unit; returns the number of rows written."""
    today = today or timezone.localdate()
    paths = dict(Unit.objects.values_list("pk", "path"))
    written = 0
    for month in sorted({month_start(m) for m in months}):
        w = MeasureWindow.of(month, month_end(month), today=today)
        counts = count_measures(Petition.objects.all(), w, by="responsible_unit_id")
        received = dict(
            Petition.objects.filter(received_on__range=(w.start, w.end))
            .order_by()
            .values("responsible_unit_id")
            .annotate(n=Count("pk"))
            .values_list("responsible_unit_id", "n")
        )
        rows = [
            _to_row(unit_id, paths[unit_id], month, counts.get(unit_id, Counts()), n)
            for unit_id in sorted(set(counts) | set(received))
            if unit_id in paths
            for n in [received.get(unit_id, 0)]
        ]
        UnitMonth.objects.filter(month=month).delete()
        UnitMonth.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


# Column indices of :func:`subtree_sums` (the integer columns of ``_COLUMNS``).
SUM_COLUMNS = _COLUMNS[1:-1]
COLUMN = {name: i for i, name in enumerate(SUM_COLUMNS)}


def subtree_sums(
    root: Unit, paths: Sequence[str], month: date, *, with_reached: bool = False
) -> tuple[Any, list[dict[str, int]]]:
    """The month's sums of the integer columns for each subtree of ``paths`` (a NumPy
    array, one row per path, columns :data:`SUM_COLUMNS`) and, ``with_reached``, the
    escalation levels of each.

    One indexed range query on ``(month, unit_path)`` over ``root``'s subtree; the rows
    sorted by path, a subtree is a contiguous run of them, so its sums are a difference of
    two cumulative sums (paths may nest: a township and its villages ranked together).
    """
    import numpy as np

    columns = _COLUMNS if with_reached else _COLUMNS[:-1]
    rows = sorted(
        UnitMonth.objects.filter(month=month_start(month))
        .filter(subtree_q(root.path, "unit_path"))
        .values_list(*columns)
    )
    keys = [r[0] for r in rows]
    cumulative = np.zeros((len(rows) + 1, len(SUM_COLUMNS)), dtype=np.int64)
    if rows:
        values = np.array([r[1 : 1 + len(SUM_COLUMNS)] for r in rows], dtype=np.int64)
        cumulative[1:] = np.cumsum(values, axis=0)
    lo = np.array([bisect_left(keys, p) for p in paths], dtype=np.int64)
    hi = np.array([bisect_left(keys, p + "~") for p in paths], dtype=np.int64)
    sums = cumulative[hi] - cumulative[lo] if len(paths) else cumulative[:0]
    reached: list[dict[str, int]] = []
    if with_reached:
        for start, end in zip(lo.tolist(), hi.tolist(), strict=True):
            levels: dict[str, int] = {}
            for r in rows[start:end]:
                for k, n in (r[-1] or {}).items():
                    levels[k] = levels.get(k, 0) + n
            reached.append(levels)
    return sums, reached


def rollup_month(root: Unit, units: Sequence[Unit], month: date) -> dict[int, MonthFigures]:
    """Each of ``units``' subtree month (see :func:`subtree_sums`)."""
    sums, reached = subtree_sums(root, [u.path for u in units], month, with_reached=True)
    return {u.pk: _from_values(("", *sums[i].tolist(), reached[i])) for i, u in enumerate(units)}


def counted_at(month: date) -> datetime | None:
    """When the month was last counted (the oldest row), ``None`` when never."""
    return UnitMonth.objects.filter(month=month_start(month)).aggregate(t=Min("counted_at"))["t"]
