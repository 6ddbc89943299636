"""The monthly ranking of the units of one level on the three rates.

Pure arithmetic (:func:`rank_counts`, vectorised with NumPy: a province ranks thousands of
units) over each unit's counts, read from the monthly aggregates by :func:`monthly_ranking`.
The score is the weighted mean of the three rates (timely acceptance, on-time completion,
satisfaction: petitions.measures' definitions, each rounded to two decimals as shown);
weights are set per ranking. Small-sample guard: a unit whose weighted rates rest on fewer
than ``min_sample`` matters (any one of them) is listed with its figures but not ranked,
so that one late answer in a village with two matters does not put it last; so is a unit
with a weighted rate that has nothing to measure. Units with an equal score share a rank
(1, 2, 2, 4). Month-on-month: last month's rank and score under the same weights and guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from xinfang.core.memo import ProcessMemo
from xinfang.org.models import Unit
from xinfang.org.querysets import PATH_END
from xinfang.petitions.measures import Ratio
from xinfang.statistics.aggregates import (
    COLUMN,
    SUM_COLUMNS,
    MonthFigures,
    months_subtree_sums,
)
from xinfang.statistics.errors import RankingInvalid
from xinfang.statistics.periods import previous_month

__all__ = [
    "ALL_LEVELS",
    "RATES",
    "RankedUnit",
    "Ranking",
    "RankingPage",
    "Weights",
    "monthly_ranking",
    "rank_counts",
    "rank_figures",
    "ranking_page",
]

RATES = {
    "timely": "及时受理率",
    "completion": "按期办结率",
    "satisfaction": "群众满意率",
}
DEFAULT_MIN_SAMPLE = 5
ALL_LEVELS = "all"
# The count columns a ranking reads: received, then numerator / denominator / pending of
# each rate in the order of RATES.
RANK_COLUMNS = [
    COLUMN["received"],
    COLUMN["timely_numerator"],
    COLUMN["timely_denominator"],
    COLUMN["timely_pending"],
    COLUMN["completion_numerator"],
    COLUMN["completion_denominator"],
    COLUMN["completion_pending"],
    COLUMN["satisfied"],
    COLUMN["rated"],
]
# The same, by name: the only columns of the aggregates a ranking reads.
RANK_FIELDS = [SUM_COLUMNS[i] for i in RANK_COLUMNS]


@dataclass(frozen=True)
class Weights:
    timely: int = 1
    completion: int = 1
    satisfaction: int = 1

    def __post_init__(self) -> None:
        values = (self.timely, self.completion, self.satisfaction)
        if any(v < 0 or v > 100 for v in values) or sum(values) == 0:
            raise RankingInvalid("权重须为0至100的整数，且不能全为0")

    def as_dict(self) -> dict[str, int]:
        return {
            "timely": self.timely,
            "completion": self.completion,
            "satisfaction": self.satisfaction,
        }

    def vector(self) -> Any:
        return np.array([self.timely, self.completion, self.satisfaction], dtype=np.float64)


@dataclass(slots=True)
class RankedUnit:
    unit_id: int
    name: str
    counts: tuple[int, ...]  # RANK_COLUMNS' values
    sample: int
    score: float | None
    rank: int | None
    previous_rank: int | None = None
    previous_score: float | None = None

    @property
    def received(self) -> int:
        return self.counts[0]

    @property
    def rates(self) -> dict[str, Ratio]:
        c = self.counts
        return {
            "timely": Ratio(c[1], c[2], c[3]),
            "completion": Ratio(c[4], c[5], c[6]),
            "satisfaction": Ratio(c[7], c[8]),
        }

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive: up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 2)

    def public_row(self) -> dict[str, Any]:
        """What a published ranking keeps: the unit, its rates and samples, its rank."""
        c = self.counts
        return {
            "unit": self.name,
            "received": self.received,
            "rates": {
                "timely": [c[1], c[2]],
                "completion": [c[4], c[5]],
                "satisfaction": [c[7], c[8]],
            },
            "sample": self.sample,
            "score": self.score,
            "rank": self.rank,
            "rank_change": self.rank_change,
            "score_change": self.score_change,
        }


def _scores(counts: Any, weights: Weights, min_sample: int) -> tuple[Any, Any, Any]:
    """Per unit: the score (NaN when not ranked), the sample, and whether it is ranked."""
    numerators = counts[:, [1, 4, 7]].astype(np.float64)
    denominators = counts[:, [2, 5, 8]].astype(np.float64)
    w = weights.vector()
    active = w > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        percents = np.where(
            denominators > 0, np.round(100.0 * numerators / denominators, 2), np.nan
        )
    sample = denominators[:, active].min(axis=1)
    scores = np.round((percents[:, active] * w[active]).sum(axis=1) / w[active].sum(), 2)
    ranked = ~np.isnan(scores) & (sample >= min_sample)
    return np.where(ranked, scores, np.nan), sample, ranked


def _ranks(scores: Any, ranked: Any, name_order: Any) -> tuple[Any, Any]:
    """The display order (ranked by score then name, then the unranked by name) and each
    unit's competition rank (ties share one; 0 for the unranked)."""
    # lexsort: last key first. Unranked sort after every score; names break ties.
    order = np.lexsort((name_order, np.where(ranked, -scores, np.inf), ~ranked))
    n_ranked = int(ranked.sum())
    ranks = np.zeros(len(scores), dtype=np.int64)
    if n_ranked:
        top = order[:n_ranked]
        s = scores[top]
        first = np.r_[True, s[1:] != s[:-1]]
        positions = np.arange(1, n_ranked + 1)
        ranks[top] = np.maximum.accumulate(np.where(first, positions, 0))
    return order, ranks


def rank_counts(
    ids: Sequence[int],
    names: Sequence[str],
    counts: Any,
    weights: Weights,
    min_sample: int,
    previous: dict[int, tuple[int | None, float | None]] | None = None,
) -> list[RankedUnit]:
    """Rank units from their counts (an array, one row per unit, RANK_COLUMNS): ranked
    units by score (ties share a rank, then by name), then the unranked ones by name."""
    if min_sample < 1 or min_sample > 10_000:
        raise RankingInvalid("最少事项数须在1至10000之间")
    counts = np.asarray(counts, dtype=np.int64).reshape(len(ids), len(RANK_COLUMNS))
    scores, sample, ranked = _scores(counts, weights, min_sample)
    order, ranks = _ranks(scores, ranked, _name_order(names))
    previous = previous or {}
    rows, score_list = counts.tolist(), scores.tolist()
    sample_list, rank_list, ranked_list = sample.tolist(), ranks.tolist(), ranked.tolist()
    out: list[RankedUnit] = []
    for i in order.tolist():
        before = previous.get(ids[i], (None, None))
        is_ranked = ranked_list[i]
        out.append(
            RankedUnit(
                ids[i],
                names[i],
                tuple(rows[i]),
                int(sample_list[i]),
                score_list[i] if is_ranked else None,
                rank_list[i] if is_ranked else None,
                *before,
            )
        )
    return out


def _name_order(names: Sequence[str]) -> Any:
    """Each name's position in sorted order (a sort key NumPy can use); names already in
    order (as :func:`ranked_units` reads them) cost no sort."""
    n = len(names)
    if all(names[i] <= names[i + 1] for i in range(n - 1)):
        return np.arange(n)
    order = np.empty(n, dtype=np.int64)
    order[sorted(range(n), key=names.__getitem__)] = np.arange(n)
    return order


def previous_ranks(
    ids: Sequence[int], names: Sequence[str], counts: Any, weights: Weights, min_sample: int
) -> dict[int, tuple[int | None, float | None]]:
    """Last month's rank and score of each unit (no rows built: only the change is shown)."""
    counts = np.asarray(counts, dtype=np.int64).reshape(len(ids), len(RANK_COLUMNS))
    scores, _, ranked = _scores(counts, weights, min_sample)
    _, ranks = _ranks(scores, ranked, _name_order(names))
    return {
        pk: (int(r), float(sc)) if ok else (None, None)
        for pk, r, sc, ok in zip(ids, ranks.tolist(), scores.tolist(), ranked.tolist(), strict=True)
    }


def rank_figures(
    units: Sequence[tuple[int, str, MonthFigures]],
    weights: Weights,
    min_sample: int,
    previous: dict[int, tuple[int | None, float | None]] | None = None,
) -> list[RankedUnit]:
    """:func:`rank_counts` over ``(unit id, name, month)`` rows."""
    counts = []
    for _, _, f in units:
        t, c, s = (
            f.measures.timely_acceptance,
            f.measures.on_time_completion,
            f.measures.satisfaction,
        )
        counts.append(
            [
                *(f.received, t.numerator, t.denominator, t.pending),
                *(c.numerator, c.denominator, c.pending, s.numerator, s.denominator),
            ]
        )
    ids, names = [u[0] for u in units], [u[1] for u in units]
    return rank_counts(ids, names, counts, weights, min_sample, previous)


@dataclass(frozen=True)
class Ranking:
    root: Unit
    level: str
    month: date
    weights: Weights
    min_sample: int
    rows: list[RankedUnit]


def ranked_units(root: Unit, level: str) -> list[tuple[int, str, str]]:
    """``(id, name, path)`` of the units of ``level`` in ``root``'s subtree (the root
    itself when of that level); ``"all"``: every unit below the root, whatever its level.

    In name order (code points, as Python compares text), equal names by id: the order
    ties are listed in (rank_counts takes the given order as the names' order). Read by id
    and sorted here: the database's sort of thousands of Chinese names under its collation
    costs several times the read, and may not be code-point order anyway."""
    from operator import itemgetter

    units = list(_units(root, level).order_by("pk").values_list("pk", "name", "path"))
    units.sort(key=itemgetter(1))  # stable: equal names stay by id
    return units


def month_counts(root: Unit, paths: Sequence[str], month: date) -> tuple[Any, Any]:
    """Each subtree's RANK_FIELDS for ``month`` and for the month before (two arrays, one
    row per path), from one query of the aggregates."""
    this, last = months_subtree_sums(root, paths, [month, previous_month(month)], RANK_FIELDS)
    return this, last


def monthly_ranking(
    root: Unit, level: str, month: date, weights: Weights, min_sample: int = DEFAULT_MIN_SAMPLE
) -> Ranking:
    """The ranking of ``root``'s units of ``level`` for ``month`` (one range read of the
    aggregates: this month and the last)."""
    units = ranked_units(root, level)
    ids = [u[0] for u in units]
    names = [u[1] for u in units]
    paths = [u[2] for u in units]
    this, last = month_counts(root, paths, month)
    previous = previous_ranks(ids, names, last, weights, min_sample)
    rows = rank_counts(ids, names, this, weights, min_sample, previous)
    return Ranking(root, level, month, weights, min_sample, rows)


# The ranking by pages (the API and the page): computed once per setting and state of the
# data, then sliced. The key holds everything the ranking depends on: the root, the level,
# the month, the weights, the guard, a fingerprint of the root's subtree (ids, names,
# paths, levels, states: a new, renamed, moved or closed unit changes it) and the refresh
# stamp of the two months read (a recount of a month writes a new token in its
# ``MonthRefresh`` row). So a cached ranking is the ranking of the data as they are:
# exact, never a stale page.
#
# The arrays are kept in the project's cache (the database by default, shared by the
# worker processes; compressed, see core.memo) and each process keeps the last few it
# read: a page then costs two small queries (the refresh tokens, the units' fingerprint)
# and no cache read. A cached ranking lives a day and a bit: the nightly recount warms the
# default ones (:func:`warm_rankings`), which must outlast the morning; the key, not the
# expiry, keeps them exact.

RANKING_CACHE_SECONDS = 26 * 3600
_MEMO: ProcessMemo[dict[str, Any]] = ProcessMemo(16)


@dataclass(frozen=True)
class RankingPage:
    """One page of a ranking: ``rows`` from ``offset``, of ``count`` units listed."""

    root: Unit
    level: str
    month: date
    weights: Weights
    min_sample: int
    count: int
    ranked: int
    offset: int
    limit: int
    rows: list[RankedUnit]
    counted_at: Any  # when the month's aggregates were last recounted (None: never)


def refresh_stamp(month: date) -> tuple[Any, ...]:
    """The refresh tokens and times of ``month`` and the month before (a recount writes a
    new token; a month never counted has none)."""
    from xinfang.statistics.models import MonthRefresh
    from xinfang.statistics.periods import month_start

    months = [month_start(month), previous_month(month_start(month))]
    rows = MonthRefresh.objects.filter(month__in=months).values_list("month", "token", "counted_at")
    return tuple(sorted(rows))


def _units(root: Unit, level: str) -> Any:
    units = Unit.objects.subtree(root).filter(is_active=True)
    return units.exclude(pk=root.pk) if level == ALL_LEVELS else units.filter(level=level)


# The subtree's fingerprint on PostgreSQL (org_unit is Unit's table).
_FINGERPRINT_SQL = (
    "SELECT count(*), coalesce(sum(hashtextextended("
    "id::text || chr(31) || name || chr(31) || path || chr(31) || level || is_active::text"
    ", 0)), 0) FROM org_unit WHERE path >= %s AND path < %s"
)


def units_fingerprint(root: Unit) -> str:
    """A digest of the id, name, path, level and state of every unit in ``root``'s
    subtree: a new, renamed, moved, re-levelled or closed unit changes it (a moved village
    changes its township's sums, so not only the units ranked count).

    On PostgreSQL computed by the database in one plain statement (each row's 64-bit hash,
    summed: no sort, no long string, no ORM expression compiled on every page; one row
    comes back, not thousands); elsewhere from the rows."""
    import hashlib

    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_FINGERPRINT_SQL, [root.path, root.path + PATH_END])
            count, digest = cursor.fetchone()
        return f"{count}:{digest}"
    rows = list(
        Unit.objects.subtree(root)
        .order_by("pk")
        .values_list("pk", "name", "path", "level", "is_active")
    )
    return hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()


def _cache_key(*parts: Any) -> str:
    import hashlib

    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16)
    return f"statistics:ranking:{digest.hexdigest()}"


def _computed(
    root: Unit,
    level: str,
    month: date,
    weights: Weights,
    min_sample: int,
) -> dict[str, Any]:
    """The whole ranking as arrays in display order: units, ranks, scores, samples,
    counts and last month's rank and score."""
    units = ranked_units(root, level)
    ids = [u[0] for u in units]
    names = [u[1] for u in units]
    paths = [u[2] for u in units]
    counts, last = month_counts(root, paths, month)
    name_order = _name_order(names)
    scores, sample, ranked = _scores(counts, weights, min_sample)
    order, ranks = _ranks(scores, ranked, name_order)
    last_scores, _, last_ranked = _scores(last, weights, min_sample)
    _, last_ranks = _ranks(last_scores, last_ranked, name_order)
    listed = order.tolist()
    # Compact arrays (int32: counts of one month): the cached value stays small.
    return {
        "ids": [ids[i] for i in listed],
        "names": [names[i] for i in listed],
        "ranks": ranks[order].astype(np.int32),
        "ranked": ranked[order],
        "scores": scores[order],
        "sample": sample[order].astype(np.int32),
        "counts": counts[order].astype(np.int32),
        "last_ranks": last_ranks[order].astype(np.int32),
        "last_scores": last_scores[order],
        "last_ranked": last_ranked[order],
        "n_ranked": int(ranked.sum()),
    }


def _cached(
    root: Unit, level: str, month: date, weights: Weights, min_sample: int, stamp: Any
) -> dict[str, Any]:

    key = _cache_key(
        root.pk,
        root.path,
        level,
        month,
        weights.as_dict(),
        min_sample,
        stamp,
        units_fingerprint(root),
    )
    return _MEMO.through_cache(
        key,
        lambda: _computed(root, level, month, weights, min_sample),
        RANKING_CACHE_SECONDS,
        packed=True,
    )


def ranking_page(
    root: Unit,
    level: str,
    month: date,
    weights: Weights,
    min_sample: int = DEFAULT_MIN_SAMPLE,
    *,
    offset: int = 0,
    limit: int = 50,
) -> RankingPage:
    """A page of :func:`monthly_ranking` (the same rows in the same order), from the
    ranking cached for exactly these data (see the key above)."""
    from xinfang.statistics.periods import month_start

    if min_sample < 1 or min_sample > 10_000:
        raise RankingInvalid("最少事项数须在1至10000之间")
    month = month_start(month)
    stamp = refresh_stamp(month)
    computed = _cached(root, level, month, weights, min_sample, stamp)
    part = slice(offset, offset + limit)
    columns = {
        name: computed[name][part].tolist()
        for name in (
            "counts",
            "sample",
            "scores",
            "ranks",
            "ranked",
            "last_ranks",
            "last_scores",
            "last_ranked",
        )
    }
    rows = []
    for i, (pk, name) in enumerate(
        zip(computed["ids"][part], computed["names"][part], strict=True)
    ):
        is_ranked, was_ranked = columns["ranked"][i], columns["last_ranked"][i]
        rows.append(
            RankedUnit(
                pk,
                name,
                tuple(columns["counts"][i]),
                int(columns["sample"][i]),
                columns["scores"][i] if is_ranked else None,
                columns["ranks"][i] if is_ranked else None,
                columns["last_ranks"][i] if was_ranked else None,
                columns["last_scores"][i] if was_ranked else None,
            )
        )
    newest = next((s[2] for s in stamp if s[0] == month), None)
    return RankingPage(
        root,
        level,
        month,
        weights,
        min_sample,
        len(computed["ids"]),
        computed["n_ranked"],
        offset,
        limit,
        rows,
        newest,
    )


def ranking_levels(unit: Unit) -> list[str]:
    """The levels the ranking page offers at ``unit``: those of its active units below."""
    from xinfang.org.choices import UnitLevel

    present = set(
        Unit.objects.subtree(unit)
        .exclude(pk=unit.pk)
        .filter(is_active=True)
        .values_list("level", flat=True)
    )
    return [str(lv) for lv in UnitLevel.values if lv in present]


def default_level(unit: Unit, levels: Sequence[str]) -> str:
    """The level the page opens with: the first territorial level among the unit's
    children (a county ranks its townships, as 12345 does its streets), else the first
    child's level, else the first level offered ("" when none)."""
    from xinfang.org.choices import TERRITORIAL_ORDER

    children = list(unit.children.filter(is_active=True).values_list("level", flat=True))
    territorial = [str(lv) for lv in TERRITORIAL_ORDER if lv in children]
    chosen = territorial[0] if territorial else (children[0] if children else "")
    return chosen or (levels[0] if levels else "")


# Warming: the roots are the units at the top of the tree and those right below them (a
# province and its cities; a county and its townships), active ones with units below,
# in tree order; for each, the level the page opens with first, then the other levels it
# offers; at most WARM_LIMIT rankings (each one stays in the shared cache).
WARM_DEPTH = 1
WARM_LIMIT = 60


def warm_rankings(month: date, *, limit: int = WARM_LIMIT) -> int:
    """Compute and cache the default rankings of ``month`` (default weights and guard;
    those cached already are left as they are), so that the first reader after a recount
    is served from the cache; returns the number of rankings warmed."""
    roots = [
        u
        for u in Unit.objects.filter(is_active=True, depth__lte=WARM_DEPTH).order_by("path")
        if u.children.filter(is_active=True).exists()
    ]
    plan: list[tuple[Unit, str]] = []
    later: list[tuple[Unit, str]] = []
    for root in roots:
        levels = ranking_levels(root)
        first = default_level(root, levels)
        plan += [(root, first)] if first else []
        later += [(root, lv) for lv in levels if lv != first]
    chosen = (plan + later)[:limit]
    for root, level in chosen:
        ranking_page(root, level, month, Weights(), DEFAULT_MIN_SAMPLE, limit=1)
    return len(chosen)
