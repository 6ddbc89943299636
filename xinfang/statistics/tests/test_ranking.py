"""The ranking's arithmetic: weights, the small-sample guard, ties, month-on-month (pure)."""

from __future__ import annotations

import pytest

from xinfang.petitions.measures import Counts, Ratio
from xinfang.statistics.aggregates import MonthFigures
from xinfang.statistics.errors import RankingInvalid
from xinfang.statistics.ranking import Weights, rank_figures


def _month(
    timely: tuple[int, int], completion: tuple[int, int], sat: tuple[int, int]
) -> MonthFigures:
    return MonthFigures(
        received=timely[1],
        measures=Counts(
            timely_acceptance=Ratio(*timely),
            on_time_completion=Ratio(*completion),
            satisfaction=Ratio(*sat),
        ),
    )


def test_score_is_the_weighted_mean_of_the_three_rates() -> None:
    rows = rank_figures([(1, "甲镇", _month((10, 10), (5, 10), (0, 10)))], Weights(2, 1, 1), 5)
    # (2 × 100 + 1 × 50 + 1 × 0) / 4 = 62.5
    assert rows[0].score == 62.5
    assert rows[0].rank == 1


def test_a_unit_with_fewer_matters_than_the_guard_is_listed_but_not_ranked() -> None:
    rows = rank_figures(
        [
            (1, "甲镇", _month((10, 10), (10, 10), (10, 10))),
            (2, "乙镇", _month((2, 2), (2, 2), (2, 2))),  # perfect, but two matters
            (3, "丙镇", _month((5, 10), (5, 10), (5, 10))),
        ],
        Weights(),
        5,
    )
    assert [(r.name, r.rank) for r in rows] == [("甲镇", 1), ("丙镇", 2), ("乙镇", None)]
    assert rows[2].sample == 2 and rows[2].score is None


def test_the_guard_looks_only_at_weighted_rates() -> None:
    # Satisfaction rests on two matters but weighs nothing: the unit is ranked.
    rows = rank_figures([(1, "甲镇", _month((10, 10), (10, 10), (1, 2)))], Weights(1, 1, 0), 5)
    assert rows[0].rank == 1 and rows[0].score == 100.0


def test_equal_scores_share_a_rank_and_the_next_rank_skips() -> None:
    same = _month((8, 10), (8, 10), (8, 10))
    rows = rank_figures(
        [(1, "甲", same), (2, "乙", same), (3, "丙", _month((5, 10), (5, 10), (5, 10)))],
        Weights(),
        5,
    )
    assert [r.rank for r in rows] == [1, 1, 3]


def test_month_on_month_change_compares_with_last_months_rank_and_score() -> None:
    rows = rank_figures(
        [(1, "甲镇", _month((9, 10), (9, 10), (9, 10)))], Weights(), 5, previous={1: (3, 80.0)}
    )
    assert (rows[0].rank_change, rows[0].score_change) == (2, 10.0)


def test_a_rate_with_nothing_to_measure_leaves_the_unit_unranked() -> None:
    rows = rank_figures([(1, "甲镇", _month((10, 10), (0, 0), (10, 10)))], Weights(), 0 + 1)
    assert rows[0].rank is None


@pytest.mark.parametrize("weights", [(0, 0, 0), (-1, 1, 1), (101, 1, 1)])
def test_weights_out_of_range_are_refused(weights: tuple[int, int, int]) -> None:
    with pytest.raises(RankingInvalid):
        Weights(*weights)


def test_a_guard_below_one_matter_is_refused() -> None:
    with pytest.raises(RankingInvalid):
        rank_figures([], Weights(), 0)


def test_a_published_row_holds_units_and_counts_only() -> None:
    row = rank_figures([(1, "甲镇", _month((9, 10), (9, 10), (9, 10)))], Weights(), 5)[0]
    assert set(row.public_row()) == {
        "unit",
        "received",
        "rates",
        "sample",
        "score",
        "rank",
        "rank_change",
        "score_change",
    }
