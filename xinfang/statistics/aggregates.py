"""The aggregates (:class:`UnitMonth`, :class:`UnitYear`): rebuilt from the matters, read
by subtree.

Materialised rather than maintained by the matters' own writes: petitions sit below this
app and must not call it, and a month rebuilt by the very counting function the pages use
(:func:`xinfang.petitions.measures.count_measures`) cannot drift from them. A month's rows
are replaced in one transaction (about ten grouped queries over the matters, whatever the
number of units). The nightly job recounts this month and the last; ``xinfang
refresh_statistics`` and the ranking page's button recount on demand.

The years (:func:`refresh_years`) are counted with the months they hold by the same job,
command and button (:func:`refresh_statistics`): a year by :func:`count_figures` over the
year itself, every figure of the Art. 41 report per responsible unit. The report reads
them (:func:`year_figures`) and states when they were counted; counting one subtree's
year again (``root``) leaves the rest of the province as it was.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.org.querysets import PATH_END, subtree_q
from xinfang.petitions.measures import Backlog, Counts, MeasureWindow, Ratio, count_measures
from xinfang.petitions.models import Petition
from xinfang.statistics.figures import UnitFigures, count_figures, subtree_matters
from xinfang.statistics.models import MonthRefresh, UnitMonth, UnitYear
from xinfang.statistics.periods import month_end, month_start

__all__ = [
    "MonthFigures",
    "YearFigures",
    "counted_at",
    "figures_from_json",
    "figures_to_json",
    "months_subtree_sums",
    "refresh_months",
    "refresh_statistics",
    "refresh_years",
    "rollup_month",
    "year_figures",
]


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
        MonthRefresh.objects.update_or_create(
            month=month, defaults={"token": uuid.uuid4().hex, "counted_at": timezone.now()}
        )
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

    One query of the month's rows of the units in ``root``'s subtree (by their paths now);
    the rows sorted by path, a subtree is a contiguous run of them, so its sums are a
    difference of two cumulative sums (paths may nest: a township and its villages ranked
    together).
    """
    import numpy as np

    # By each unit's path as it is now (see :func:`months_subtree_sums`).
    columns = ("unit__path", *_COLUMNS[1:]) if with_reached else ("unit__path", *SUM_COLUMNS)
    rows = sorted(
        UnitMonth.objects.filter(month=month_start(month))
        .filter(subtree_q(root.path, "unit__path"))
        .values_list(*columns)
    )
    keys = [r[0] for r in rows]
    cumulative = np.zeros((len(rows) + 1, len(SUM_COLUMNS)), dtype=np.int64)
    if rows:
        values = np.array([r[1 : 1 + len(SUM_COLUMNS)] for r in rows], dtype=np.int64)
        cumulative[1:] = np.cumsum(values, axis=0)
    # Binary searches of the sorted paths, all at once (NumPy orders text by code point,
    # as Python does; paths hold no NUL).
    sorted_keys = np.array(keys, dtype=str)
    lo = np.searchsorted(sorted_keys, np.array(paths, dtype=str)).astype(np.int64)
    hi = np.searchsorted(sorted_keys, np.array([p + "~" for p in paths], dtype=str)).astype(
        np.int64
    )
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


def months_subtree_sums(
    root: Unit, paths: Sequence[str], months: Sequence[date], columns: Sequence[str]
) -> list[Any]:
    """For each of ``months``, the sums of ``columns`` (integer columns of
    :class:`UnitMonth`) for each subtree of ``paths``: a NumPy array per month, one row per
    path — what :func:`subtree_sums` gives for one month, read for all of them in ONE
    query of just those columns.

    Rows are placed by their unit's path as it is now (joined by unit id: a unit moved
    since the recount counts under its new parent at once), sorted by NumPy in
    code-point order, the order its binary searches use ("1/100/" before "1/99/").
    """
    import numpy as np

    starts = sorted({month_start(m) for m in months})
    rows = list(
        UnitMonth.objects.filter(month__in=starts)
        .filter(subtree_q(root.path, "unit__path"))
        .order_by("month")
        .values_list("month", "unit__path", *columns)
    )
    # Column-wise (one C-level transpose), not row by row.
    transposed = list(zip(*rows, strict=True)) if rows else [()] * (2 + len(columns))
    row_months = transposed[0]
    keys = np.array(transposed[1], dtype=str)
    values = np.array(transposed[2:], dtype=np.int64).reshape(len(columns), len(rows)).T
    lo_keys = np.array(paths, dtype=str)
    hi_keys = np.array([p + PATH_END for p in paths], dtype=str)
    sums_by_month: dict[date, Any] = {}
    begin = 0
    for month in starts:
        end = begin + row_months.count(month)
        order = begin + np.argsort(keys[begin:end], kind="stable")
        cumulative = np.zeros((end - begin + 1, len(columns)), dtype=np.int64)
        np.cumsum(values[order], axis=0, out=cumulative[1:])
        sorted_keys = keys[order]
        lo = np.searchsorted(sorted_keys, lo_keys)
        hi = np.searchsorted(sorted_keys, hi_keys)
        sums_by_month[month] = cumulative[hi] - cumulative[lo]
        begin = end
    return [sums_by_month[month_start(m)] for m in months]


def rollup_month(root: Unit, units: Sequence[Unit], month: date) -> dict[int, MonthFigures]:
    """Each of ``units``' subtree month (see :func:`subtree_sums`)."""
    sums, reached = subtree_sums(root, [u.path for u in units], month, with_reached=True)
    return {u.pk: _from_values(("", *sums[i].tolist(), reached[i])) for i, u in enumerate(units)}


def counted_at(month: date) -> datetime | None:
    """When the month was last counted (the oldest row), ``None`` when never."""
    return UnitMonth.objects.filter(month=month_start(month)).aggregate(t=Min("counted_at"))["t"]


def _ratio(r: Ratio) -> list[int]:
    return [r.numerator, r.denominator, r.pending]


def _backlog(b: Backlog) -> list[int]:
    return [b.total, b.over_5y, b.over_10y]


def figures_to_json(f: UnitFigures) -> dict[str, Any]:
    """A unit's figures as stored in :class:`UnitYear` (every count, nothing derived)."""
    m = f.measures
    return {
        "counts": {k: n for k, n in f.counts.items() if n},
        "timely": _ratio(m.timely_acceptance),
        "completion": _ratio(m.on_time_completion),
        "satisfaction": _ratio(m.satisfaction),
        "backlog": _backlog(m.backlog),
        "resolved": _backlog(m.backlog_resolved),
        "repeat": m.repeat,
        "reached": {str(k): n for k, n in m.reached.items()},
    }


def figures_from_json(d: dict[str, Any]) -> UnitFigures:
    if not d:
        return UnitFigures(Counts(), Counter())
    return UnitFigures(
        Counts(
            timely_acceptance=Ratio(*d["timely"]),
            on_time_completion=Ratio(*d["completion"]),
            satisfaction=Ratio(*d["satisfaction"]),
            backlog=Backlog(*d["backlog"]),
            backlog_resolved=Backlog(*d["resolved"]),
            repeat=d["repeat"],
            reached={int(k): n for k, n in d["reached"].items()},
        ),
        Counter(d["counts"]),
    )


def _year_window(year: int, today: date) -> MeasureWindow:
    return MeasureWindow.of(date(year, 1, 1), date(year, 12, 31), today=today)


@transaction.atomic
def refresh_years(
    years: Iterable[int], *, root: Unit | None = None, today: date | None = None
) -> int:
    """Recount the given years for every unit (or ``root``'s subtree): one row per unit,
    empty when it has no matters; returns the rows written."""
    today = today or timezone.localdate()
    units = Unit.objects.all() if root is None else Unit.objects.filter(subtree_q(root.path))
    paths = dict(units.values_list("pk", "path"))
    matters = Petition.objects.all() if root is None else subtree_matters(root)
    written = 0
    for year in sorted(set(years)):
        w = _year_window(year, today)
        per_unit = count_figures(matters, w)
        now = timezone.now()
        empty: dict[str, Any] = {}
        rows = [
            UnitYear(
                unit_id=pk,
                unit_path=path,
                year=year,
                figures=figures_to_json(per_unit[pk]) if pk in per_unit else empty,
                as_of=w.as_of,
                counted_at=now,
            )
            for pk, path in sorted(paths.items())
        ]
        old = UnitYear.objects.filter(year=year)
        if root is not None:
            # By the units' paths now: a unit moved in since the last count is replaced.
            old = old.filter(subtree_q(root.path, "unit__path"))
        old.delete()
        UnitYear.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def refresh_statistics(months: Iterable[date], *, today: date | None = None) -> int:
    """The recount of the job, the command and the button: the months, then the years
    they fall in (every unit); returns the rows written."""
    months = sorted({month_start(m) for m in months})
    written = refresh_months(months, today=today)
    return written + refresh_years({m.year for m in months}, today=today)


@dataclass(frozen=True)
class YearFigures:
    """A subtree's year as counted: each unit's figures, and when (the oldest row)."""

    per_unit: dict[int, UnitFigures]
    as_of: date
    counted_at: datetime


def year_figures(root: Unit, year: int, *, today: date | None = None) -> YearFigures:
    """Every unit's figures of ``root``'s subtree for ``year`` from :class:`UnitYear`;
    a subtree never counted for the year is counted first."""
    # By the units' paths now: a unit moved since the count is read under its new parent.
    rows = UnitYear.objects.filter(year=year).filter(subtree_q(root.path, "unit__path"))
    if not rows.filter(unit=root).exists():
        refresh_years([year], root=root, today=today)
    values = list(rows.values_list("unit_id", "figures", "as_of", "counted_at"))
    per_unit = {pk: figures_from_json(f) for pk, f, _, _ in values if f}
    # The root's row exists, so there is an oldest row.
    return YearFigures(per_unit, min(v[2] for v in values), min(v[3] for v in values))
