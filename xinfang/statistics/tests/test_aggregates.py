"""The monthly aggregates: a month's rows add up to the live counts of that month."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.petitions.measures import MeasureWindow, count_measures
from xinfang.statistics.aggregates import counted_at, refresh_months, rollup_month
from xinfang.statistics.figures import subtree_matters
from xinfang.statistics.jobs import recount_recent_months
from xinfang.statistics.models import UnitMonth
from xinfang.statistics.periods import month_end
from xinfang.statistics.tests.conftest import Year
from xinfang.statistics.tests.factories import matter

pytestmark = pytest.mark.django_db

MONTHS = [date(2026, m, 1) for m in range(1, 9)]


@pytest.mark.parametrize("month", MONTHS, ids=lambda m: f"{m:%Y-%m}")
def test_a_months_rows_add_up_to_the_live_counts_of_each_township(year: Year, month: date) -> None:
    c = year.cast
    refresh_months([month])
    rolled = rollup_month(c.county, [c.unit_a, c.unit_b], month)
    w = MeasureWindow.of(month, month_end(month))
    for unit in (c.unit_a, c.unit_b):
        live = count_measures(subtree_matters(unit), w)[None]
        got = rolled[unit.pk].measures
        assert got.timely_acceptance == live.timely_acceptance
        assert got.on_time_completion == live.on_time_completion
        assert got.satisfaction == live.satisfaction
        assert got.backlog == live.backlog
        assert got.repeat == live.repeat
        assert (
            rolled[unit.pk].received
            == subtree_matters(unit).filter(received_on__range=(w.start, w.end)).count()
        )


def test_a_recount_replaces_the_month_and_sees_new_matters(year: Year) -> None:
    c = year.cast
    june = date(2026, 6, 1)
    refresh_months([june])
    before = rollup_month(c.county, [c.unit_a], june)[c.unit_a.pk].received
    rows = UnitMonth.objects.filter(month=june).count()
    matter(c, c.unit_a, date(2026, 6, 15))
    refresh_months([june])
    assert rollup_month(c.county, [c.unit_a], june)[c.unit_a.pk].received == before + 1
    assert UnitMonth.objects.filter(month=june).count() == rows
    assert counted_at(june) is not None


def test_the_nightly_recount_covers_this_month_and_the_last(year: Year) -> None:
    recount_recent_months(today=date(2026, 9, 1))
    months = set(UnitMonth.objects.values_list("month", flat=True))
    assert months == {date(2026, 8, 1), date(2026, 9, 1)}


def test_aggregates_are_scoped_to_the_readers_subtree(year: Year) -> None:
    c = year.cast
    refresh_months(MONTHS)
    reader = c.user_with("handler", c.unit_b, "stats-reader-b")
    seen = set(UnitMonth.objects.restrict(reader, "view").values_list("unit_id", flat=True))
    assert seen and seen <= {c.unit_b.pk}


def test_nested_units_each_count_their_whole_subtree(year: Year) -> None:
    c = year.cast
    june = date(2026, 6, 1)
    refresh_months([june])
    rolled = rollup_month(c.county, [c.county, c.unit_a, c.village_a], june)
    w = MeasureWindow.of(june, month_end(june))
    for unit in (c.county, c.unit_a, c.village_a):
        live = count_measures(subtree_matters(unit), w)[None]
        assert rolled[unit.pk].measures.timely_acceptance == live.timely_acceptance
        assert rolled[unit.pk].measures.reached == live.reached


def test_every_unit_below_the_root_is_ranked_together_with_level_all(year: Year) -> None:
    from xinfang.statistics.ranking import ALL_LEVELS, Weights, monthly_ranking

    c = year.cast
    refresh_months([date(2026, 6, 1)])
    ranking = monthly_ranking(c.county, ALL_LEVELS, date(2026, 6, 1), Weights(), 1)
    names = {row.name for row in ranking.rows}
    assert {c.unit_a.name, c.village_a.name, c.unit_b.name, c.department.name} <= names
    assert c.county.name not in names


def _live_year(unit_matters, year: int = 2026):  # type: ignore[no-untyped-def]
    from xinfang.statistics.figures import count_figures

    return count_figures(unit_matters, MeasureWindow.of(date(year, 1, 1), date(year, 12, 31)))


def _stored_year(year: int = 2026):  # type: ignore[no-untyped-def]
    from xinfang.statistics.aggregates import figures_from_json
    from xinfang.statistics.models import UnitYear

    return {
        pk: figures_from_json(f)
        for pk, f in UnitYear.objects.filter(year=year).values_list("unit_id", "figures")
        if f
    }


def test_a_years_rows_equal_every_figure_counted_from_the_matters(year: Year) -> None:
    from xinfang.petitions.models import Petition
    from xinfang.statistics.aggregates import refresh_years

    refresh_years([2026])
    live = _live_year(Petition.objects.all())
    stored = _stored_year()
    assert set(stored) == set(live)
    for pk, figures in live.items():
        assert stored[pk].measures == figures.measures, pk
        assert +stored[pk].counts == +figures.counts, pk


def test_after_changes_a_recount_of_the_year_equals_the_direct_counts_again(year: Year) -> None:
    from xinfang.petitions.models import Petition
    from xinfang.statistics.aggregates import refresh_years

    c = year.cast
    refresh_years([2026])
    before = _stored_year()[c.unit_b.pk].count("received")
    matter(
        c,
        c.unit_b,
        date(2026, 7, 1),
        accepted=date(2026, 7, 2),
        answered=date(2026, 7, 10),
        kind="suggestion",
        suggestion_outcome="partly",
    )
    # Until recounted the rows are as of their count.
    assert _stored_year()[c.unit_b.pk].count("received") == before
    refresh_years([2026])
    live = _live_year(Petition.objects.all())
    stored = _stored_year()
    assert stored[c.unit_b.pk].count("received") == before + 1
    assert stored[c.unit_b.pk].count("suggestion.partly") == 1
    for pk, figures in live.items():
        assert stored[pk].measures == figures.measures, pk
        assert +stored[pk].counts == +figures.counts, pk


def test_recounting_a_subtrees_year_leaves_the_other_units_rows(year: Year) -> None:
    from xinfang.statistics.aggregates import refresh_years
    from xinfang.statistics.models import UnitYear

    c = year.cast
    refresh_years([2026])
    stamps = dict(UnitYear.objects.values_list("unit_id", "counted_at"))
    rows = UnitYear.objects.count()
    matter(c, c.unit_a, date(2026, 7, 1))
    refresh_years([2026], root=c.unit_b)
    assert UnitYear.objects.count() == rows
    after = dict(UnitYear.objects.values_list("unit_id", "counted_at"))
    assert after[c.unit_a.pk] == stamps[c.unit_a.pk]
    assert after[c.unit_b.pk] >= stamps[c.unit_b.pk]
    # unit_a's new matter waits for unit_a's (or everyone's) recount.
    assert (
        _stored_year()[c.unit_a.pk].count("received")
        == _live_year(subtree_matters(c.unit_a).filter(responsible_unit=c.unit_a))[
            c.unit_a.pk
        ].count("received")
        - 1
    )


def test_the_nightly_recount_also_counts_the_year_of_its_months(year: Year) -> None:
    from xinfang.statistics.models import UnitYear

    recount_recent_months(today=date(2026, 9, 1))
    assert set(UnitYear.objects.values_list("year", flat=True)) == {2026}
    recount_recent_months(today=date(2027, 1, 5))
    assert set(UnitYear.objects.values_list("year", flat=True)) == {2026, 2027}
