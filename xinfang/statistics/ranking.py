"""The monthly ranking of the units of one level on the three rates.

Pure arithmetic (:func:`rank_units`) over the rates of each unit, read from the monthly
aggregates by :func:`monthly_ranking`. The score is the weighted mean of the three rates
(timely acceptance, on-time completion, satisfaction: petitions.measures' definitions);
weights are set per ranking. Small-sample guard: a unit whose weighted rates rest on fewer
than ``min_sample`` matters (any one of them) is listed with its figures but not ranked,
so that one late answer in a village with two matters does not put it last. Units with an
equal score share a rank (1, 2, 2, 4). Month-on-month: last month's rank and score under
the same weights and guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from xinfang.org.models import Unit
from xinfang.petitions.measures import Ratio
from xinfang.statistics.aggregates import MonthFigures, rollup_month
from xinfang.statistics.errors import RankingInvalid
from xinfang.statistics.periods import previous_month

__all__ = [
    "ALL_LEVELS",
    "RATES",
    "RankedUnit",
    "Ranking",
    "Weights",
    "monthly_ranking",
    "rank_units",
]

RATES = {
    "timely": "及时受理率",
    "completion": "按期办结率",
    "satisfaction": "群众满意率",
}
DEFAULT_MIN_SAMPLE = 5


@dataclass(frozen=True)
class Weights:
    timely: int = 1
    completion: int = 1
    satisfaction: int = 1

    def __post_init__(self) -> None:
        values = (self.timely, self.completion, self.satisfaction)
        if any(v < 0 or v > 100 for v in values) or sum(values) == 0:
            raise RankingInvalid("权重须为0至100的整数,且不能全为0")

    def as_dict(self) -> dict[str, int]:
        return {
            "timely": self.timely,
            "completion": self.completion,
            "satisfaction": self.satisfaction,
        }


@dataclass(frozen=True)
class RankedUnit:
    unit_id: int
    name: str
    received: int
    rates: dict[str, Ratio]
    sample: int
    score: float | None
    rank: int | None
    previous_rank: int | None = None
    previous_score: float | None = None

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
        return {
            "unit": self.name,
            "received": self.received,
            "rates": {k: [r.numerator, r.denominator] for k, r in self.rates.items()},
            "sample": self.sample,
            "score": self.score,
            "rank": self.rank,
            "rank_change": self.rank_change,
            "score_change": self.score_change,
        }


def _sample(rates: dict[str, Ratio], weights: Weights) -> int:
    weighted = [r.denominator for k, r in rates.items() if getattr(weights, k) > 0]
    return min(weighted) if weighted else 0


def _score(rates: dict[str, Ratio], weights: Weights) -> float | None:
    total = 0.0
    weight = 0
    for key, ratio in rates.items():
        w = getattr(weights, key)
        if w == 0:
            continue
        if ratio.percent is None:
            return None
        total += w * ratio.percent
        weight += w
    return round(total / weight, 2) if weight else None


def _rates(figures: MonthFigures) -> dict[str, Ratio]:
    m = figures.measures
    return {
        "timely": m.timely_acceptance,
        "completion": m.on_time_completion,
        "satisfaction": m.satisfaction,
    }


def rank_units(
    units: Sequence[tuple[int, str, MonthFigures]],
    weights: Weights,
    min_sample: int,
    previous: dict[int, tuple[int | None, float | None]] | None = None,
) -> list[RankedUnit]:
    """Rank ``(unit id, name, month)`` rows: ranked units by score (ties share a rank,
    then by name), then the unranked ones (small sample or a rate with nothing to
    measure) by name."""
    if min_sample < 1 or min_sample > 10_000:
        raise RankingInvalid("最少事项数须在1至10000之间")
    scored = []
    for unit_id, name, figures in units:
        rates = _rates(figures)
        sample = _sample(rates, weights)
        score = _score(rates, weights) if sample >= min_sample else None
        scored.append((unit_id, name, figures.received, rates, sample, score))
    ranked = sorted((s for s in scored if s[5] is not None), key=lambda s: (-(s[5] or 0.0), s[1]))
    unranked = sorted((s for s in scored if s[5] is None), key=lambda s: s[1])
    out: list[RankedUnit] = []
    previous = previous or {}
    last_score, last_rank = None, 0
    for position, (unit_id, name, received, rates, sample, score) in enumerate(ranked, start=1):
        rank = last_rank if score == last_score else position
        last_score, last_rank = score, rank
        before = previous.get(unit_id, (None, None))
        out.append(RankedUnit(unit_id, name, received, rates, sample, score, rank, *before))
    for unit_id, name, received, rates, sample, _ in unranked:
        before = previous.get(unit_id, (None, None))
        out.append(RankedUnit(unit_id, name, received, rates, sample, None, None, *before))
    return out


@dataclass(frozen=True)
class Ranking:
    root: Unit
    level: str
    month: date
    weights: Weights
    min_sample: int
    rows: list[RankedUnit]


ALL_LEVELS = "all"


def ranked_units(root: Unit, level: str) -> list[Unit]:
    """The units of ``level`` in ``root``'s subtree (the root itself when of that level);
    ``"all"``: every unit below the root, whatever its level."""
    units = Unit.objects.subtree(root).filter(is_active=True).order_by("path")
    if level == ALL_LEVELS:
        return list(units.exclude(pk=root.pk).only("pk", "name", "path"))
    return list(units.filter(level=level).only("pk", "name", "path"))


def monthly_ranking(
    root: Unit, level: str, month: date, weights: Weights, min_sample: int = DEFAULT_MIN_SAMPLE
) -> Ranking:
    """The ranking of ``root``'s units of ``level`` for ``month`` (two range reads of the
    aggregates: this month and the last)."""
    units = [u for u in ranked_units(root, level) if u.pk != root.pk or level == root.level]
    names = {u.pk: u.name for u in units}
    this = rollup_month(root, units, month, with_reached=False)
    last = rollup_month(root, units, previous_month(month), with_reached=False)
    before = rank_units([(pk, names[pk], f) for pk, f in last.items()], weights, min_sample)
    previous = {r.unit_id: (r.rank, r.score) for r in before}
    rows = rank_units([(pk, names[pk], f) for pk, f in this.items()], weights, min_sample, previous)
    return Ranking(root, level, month, weights, min_sample, rows)
