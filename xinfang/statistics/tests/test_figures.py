"""The figures: the petitions' rate definitions counted per unit, and the matters behind
every figure counting to it."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.org.querysets import subtree_q
from xinfang.petitions.measures import (
    Counts,
    MeasureWindow,
    count_measures,
    level_rank,
    unit_measures,
)
from xinfang.petitions.models import Petition
from xinfang.statistics.api import flat_figures
from xinfang.statistics.errors import StatisticsInvalid
from xinfang.statistics.figures import figure_matters, subtree_matters
from xinfang.statistics.periods import Period, parse_period
from xinfang.statistics.summary import subtree_statistics
from xinfang.statistics.tests.conftest import Year

pytestmark = pytest.mark.django_db

PERIODS = ["2026-06", "2026-Q2", "2026", "2026-02-01~2026-08-31"]


@pytest.mark.parametrize("raw", PERIODS)
def test_units_counted_apart_add_up_to_the_subtree_measures(year: Year, raw: str) -> None:
    period = parse_period(raw, today=date(2026, 9, 1))
    w = MeasureWindow.of(period.start, period.end)
    county = year.cast.county
    per_unit = count_measures(Petition.objects.all(), w, by="responsible_unit_id")
    in_subtree = set(
        Petition.objects.filter(subtree_q(county.path, "responsible_unit__path")).values_list(
            "responsible_unit_id", flat=True
        )
    )
    summed = sum((per_unit[u] for u in in_subtree if u in per_unit), Counts())
    direct = unit_measures(county, period.start, period.end)
    assert summed.timely_acceptance == direct.timely_acceptance
    assert summed.on_time_completion == direct.on_time_completion
    assert summed.satisfaction == direct.satisfaction
    assert summed.backlog == direct.backlog
    assert summed.backlog_resolved == direct.backlog_resolved
    assert summed.repeat == direct.repeat
    assert summed.escalated_above(level_rank(county)) == direct.escalated


@pytest.mark.parametrize("raw", PERIODS)
def test_every_figure_drills_down_to_as_many_matters_as_it_counts(year: Year, raw: str) -> None:
    county = year.cast.county
    period = parse_period(raw, today=date(2026, 9, 1))
    stats = subtree_statistics(county, period)
    w = MeasureWindow.of(period.start, period.end)
    figures = flat_figures(stats.total)
    assert figures["received"] > 0
    for key, value in figures.items():
        matters = figure_matters(subtree_matters(county), key, w, rank=level_rank(county))
        assert matters.count() == value, key


def test_the_year_has_a_matter_behind_every_kind_of_figure(year: Year) -> None:
    stats = subtree_statistics(year.cast.county, Period.year(2026))
    figures = flat_figures(stats.total)
    for key in (
        "timely_acceptance.numerator",
        "on_time_completion.numerator",
        "satisfaction.numerator",
        "backlog.over_10y",
        "repeat",
        "escalated",
        "handover.assign",
        "supervision.notice",
        "supervision.reminder",
        "recommendation.made",
        "recommendation.adopted",
        "suggestion.received",
        "suggestion.supported",
        "suggestion.adopted",
        "kind:accusation",
    ):
        assert figures.get(key, 0) > 0, key


def test_child_rows_and_the_root_own_row_add_up_to_the_total(year: Year) -> None:
    stats = subtree_statistics(year.cast.county, Period.year(2026))
    assert sum(r.count("received") for r in stats.rows) == stats.total.count("received")
    by_label = {r.label: r for r in stats.rows}
    # 甲镇 counts its village's matter; the county's own row holds the county's.
    assert by_label["甲镇"].count("kind:suggestion") == 1


def test_escalation_counts_only_levels_above_the_asking_unit(year: Year) -> None:
    stats = subtree_statistics(year.cast.county, Period.year(2026))
    # The repeat reached the city: above the county (and above the department's county).
    assert stats.total.escalated == 2  # the matter and its group's first member


def test_complaints_leave_accusations_out(year: Year) -> None:
    stats = subtree_statistics(year.cast.county, Period.year(2026))
    t = stats.total
    assert t.count("complaints") == t.count("received") - t.count("kind:accusation")


def test_an_unknown_figure_is_refused(year: Year) -> None:
    w = MeasureWindow.of(date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(StatisticsInvalid):
        figure_matters(Petition.objects.all(), "nonsense", w)
    with pytest.raises(StatisticsInvalid):
        figure_matters(Petition.objects.all(), "channel", w)
