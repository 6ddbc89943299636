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

from xinfang.org.models import Unit
from xinfang.petitions.measures import Ratio
from xinfang.statistics.aggregates import COLUMN, MonthFigures, subtree_sums
from xinfang.statistics.errors import RankingInvalid
from xinfang.statistics.periods import previous_month

__all__ = [
    "ALL_LEVELS",
    "RATES",
    "RankedUnit",
    "Ranking",
    "Weights",
    "monthly_ranking",
    "rank_counts",
    "rank_figures",
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
    itself when of that level); ``"all"``: every unit below the root, whatever its level."""
    # By name: the order ties are listed in (rank_counts takes the given order as the
    # names' order, so no second sort of thousands of Chinese names).
    units = Unit.objects.subtree(root).filter(is_active=True).order_by("name", "pk")
    units = units.exclude(pk=root.pk) if level == ALL_LEVELS else units.filter(level=level)
    return list(units.values_list("pk", "name", "path"))


def monthly_ranking(
    root: Unit, level: str, month: date, weights: Weights, min_sample: int = DEFAULT_MIN_SAMPLE
) -> Ranking:
    """The ranking of ``root``'s units of ``level`` for ``month`` (two range reads of the
    aggregates: this month and the last)."""
    units = ranked_units(root, level)
    ids = [u[0] for u in units]
    names = [u[1] for u in units]
    paths = [u[2] for u in units]
    this, _ = subtree_sums(root, paths, month)
    last, _ = subtree_sums(root, paths, previous_month(month))
    previous = previous_ranks(ids, names, last[:, RANK_COLUMNS], weights, min_sample)
    rows = rank_counts(ids, names, this[:, RANK_COLUMNS], weights, min_sample, previous)
    return Ranking(root, level, month, weights, min_sample, rows)
