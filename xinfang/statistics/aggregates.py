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


def rollup_month(
    root: Unit, units: Sequence[Unit], month: date, *, with_reached: bool = True
) -> dict[int, MonthFigures]:
    """Each of ``units``' subtree month, summed from the rows of ``root``'s subtree.

    One indexed range query on ``(month, unit_path)``; the rows sorted by path, a unit's
    subtree is a contiguous run of them, so each unit's sums are a difference of two
    cumulative sums (units may nest: a township and its villages ranked together).
    ``with_reached=False`` skips the escalation levels (the ranking does not read them).
    """
    import numpy as np

    rows = sorted(
        UnitMonth.objects.filter(month=month_start(month))
        .filter(subtree_q(root.path, "unit_path"))
        .values_list(*_COLUMNS)
    )
    paths = [r[0] for r in rows]
    counts = np.zeros((len(rows) + 1, len(_COLUMNS) - 2), dtype=np.int64)
    if rows:
        counts[1:] = np.cumsum(np.array([r[1:-1] for r in rows], dtype=np.int64), axis=0)
    out: dict[int, MonthFigures] = {}
    for unit in units:
        lo = bisect_left(paths, unit.path)
        hi = bisect_left(paths, unit.path + "~", lo)
        totals = (counts[hi] - counts[lo]).tolist()
        reached: dict[str, int] = {}
        if with_reached:
            for r in rows[lo:hi]:
                for k, n in (r[-1] or {}).items():
                    reached[k] = reached.get(k, 0) + n
        out[unit.pk] = _from_values(("", *totals, reached))
    return out


def counted_at(month: date) -> datetime | None:
    """When the month was last counted (the oldest row), ``None`` when never."""
    return UnitMonth.objects.filter(month=month_start(month)).aggregate(t=Min("counted_at"))["t"]
