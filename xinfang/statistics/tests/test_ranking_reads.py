"""How the ranking reads the aggregates: one query of the two months and nine columns, by
each unit's path as it is now (nested paths, keys of different lengths), cached exactly,
and warmed after the nightly recount."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.org import services as org_services
from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit
from xinfang.shell.testing import Cast, sign_in
from xinfang.statistics import ranking
from xinfang.statistics.aggregates import (
    months_subtree_sums,
    refresh_months,
    refresh_years,
    subtree_sums,
    year_figures,
)
from xinfang.statistics.models import UnitMonth
from xinfang.statistics.ranking import (
    ALL_LEVELS,
    DEFAULT_MIN_SAMPLE,
    RANK_COLUMNS,
    RANK_FIELDS,
    Weights,
    monthly_ranking,
    ranking_page,
)
from xinfang.statistics.tests.conftest import Year

JUNE, MAY = date(2026, 6, 1), date(2026, 5, 1)

pytestmark = pytest.mark.django_db


def _unit(pk: int, name: str, parent: Unit, level: str) -> Unit:
    # An explicit key: the test wants paths whose keys differ in length (99 and 100).
    unit = Unit(pk=pk, name=name, parent=parent, level=level)
    unit.save()
    return Unit.objects.get(pk=pk)


def _row(unit: Unit, month: date, received: int) -> UnitMonth:
    # Every ranked column distinct per unit and month, so a sum from the wrong rows shows.
    values = {f: received * (i + 1) for i, f in enumerate(RANK_FIELDS)}
    return UnitMonth.objects.create(
        unit=unit, unit_path=unit.path, month=month, counted_at=timezone.now(), **values
    )


@pytest.fixture
def nested(cast: Cast) -> dict[str, Unit]:
    """Under the county: townships 99 and 100 and a village under each (keys 1000 and
    990): in code-point order 100/ < 100/990/ < 99/ < 99/1000/, in digit order not."""
    c = cast.county
    units = {
        "t99": _unit(99, "九十九镇", c, UnitLevel.TOWNSHIP),
        "t100": _unit(100, "一百镇", c, UnitLevel.TOWNSHIP),
    }
    units["v1000"] = _unit(1000, "千村", units["t99"], UnitLevel.VILLAGE)
    units["v990"] = _unit(990, "九九〇村", units["t100"], UnitLevel.VILLAGE)
    for month, scale in ((JUNE, 1), (MAY, 10)):
        for key, n in (("t99", 1), ("t100", 2), ("v1000", 4), ("v990", 8)):
            _row(units[key], month, n * scale)
    return units


def _expected(received: int) -> list[int]:
    return [received * (i + 1) for i in range(len(RANK_FIELDS))]


def test_one_query_sums_each_nested_subtree_of_both_months(
    cast: Cast, nested: dict[str, Unit]
) -> None:
    u = nested
    paths = [u["t99"].path, u["t100"].path, u["v1000"].path, u["v990"].path]
    assert u["t100"].path < u["v990"].path < u["t99"].path < u["v1000"].path
    with CaptureQueriesContext(connection) as queries:
        june, may = months_subtree_sums(cast.county, paths, [JUNE, MAY], RANK_FIELDS)
    assert len(queries.captured_queries) == 1
    assert june.tolist() == [_expected(1 + 4), _expected(2 + 8), _expected(4), _expected(8)]
    assert may.tolist() == [_expected(50), _expected(100), _expected(40), _expected(80)]


def test_the_one_query_read_equals_the_full_read_of_every_column(
    year: Year, nested: dict[str, Unit]
) -> None:
    c = year.cast
    refresh_months([JUNE, MAY])  # the cast's matters (the nested units' rows go)
    for key, n in (("t99", 1), ("t100", 2), ("v1000", 4), ("v990", 8)):
        _row(nested[key], JUNE, n)
    units = ranking.ranked_units(c.county, ALL_LEVELS)
    paths = [p for _, _, p in units]
    assert nested["v1000"].path in paths and nested["t99"].path in paths  # nested
    june, may = months_subtree_sums(c.county, paths, [JUNE, MAY], RANK_FIELDS)
    for month, got in ((JUNE, june), (MAY, may)):
        full, _ = subtree_sums(c.county, paths, month)
        assert np.array_equal(got, full[:, RANK_COLUMNS])


def test_units_are_listed_by_name_in_code_point_order_then_by_id(
    cast: Cast, nested: dict[str, Unit]
) -> None:
    _unit(1001, "一百镇", cast.county, UnitLevel.TOWNSHIP)  # the same name as unit 100
    units = ranking.ranked_units(cast.county, UnitLevel.TOWNSHIP)
    keys = [(name, pk) for pk, name, _ in units]
    assert keys == sorted(keys)
    assert [pk for pk, name, _ in units if name == "一百镇"] == [100, 1001]


def test_a_moved_unit_counts_under_its_new_parent_before_the_recount(
    cast: Cast, nested: dict[str, Unit]
) -> None:
    u = nested
    before = ranking_page(cast.county, UnitLevel.TOWNSHIP, JUNE, Weights(), 1, limit=10)
    got = {r.unit_id: r.received for r in before.rows}
    assert (got[99], got[100]) == (1 + 4, 2 + 8)
    village = u["v1000"]
    village.parent = u["t100"]
    org_services.save_unit(actor=None, unit=village)
    after = ranking_page(cast.county, UnitLevel.TOWNSHIP, JUNE, Weights(), 1, limit=10)
    got = {r.unit_id: r.received for r in after.rows}
    assert (got[99], got[100]) == (1, 2 + 8 + 4)  # the cached page was not served
    assert after.rows == monthly_ranking(cast.county, UnitLevel.TOWNSHIP, JUNE, Weights(), 1).rows


def test_a_moved_unit_is_in_its_new_parents_annual_report_before_the_recount(
    year: Year,
) -> None:
    c = year.cast
    refresh_years([2026])
    assert c.village_a.pk not in year_figures(c.unit_b, 2026).per_unit
    c.village_a.parent = c.unit_b
    org_services.save_unit(actor=None, unit=c.village_a)
    assert c.village_a.pk in year_figures(c.unit_b, 2026).per_unit
    assert c.village_a.pk not in year_figures(c.unit_a, 2026).per_unit
    # A subtree's year counted again replaces the moved unit's row (no duplicate).
    refresh_years([2026], root=c.unit_b)
    assert c.village_a.pk in year_figures(c.unit_b, 2026).per_unit


def test_the_fingerprint_follows_renames_moves_and_closures_anywhere_below(
    cast: Cast, nested: dict[str, Unit]
) -> None:
    assert Unit._meta.db_table == "org_unit"  # the fingerprint's statement names it
    seen = {ranking.units_fingerprint(cast.county)}
    village = nested["v990"]
    village.name = "更名村"
    village.save()
    seen.add(ranking.units_fingerprint(cast.county))
    village.parent = nested["t99"]
    village.save()
    seen.add(ranking.units_fingerprint(cast.county))
    Unit.objects.filter(pk=village.pk).update(is_active=False)
    seen.add(ranking.units_fingerprint(cast.county))
    assert len(seen) == 4
    assert ranking.units_fingerprint(cast.county) == ranking.units_fingerprint(cast.county)


def _reads_aggregates(queries: Any) -> bool:
    return any("statistics_unitmonth" in q["sql"] for q in queries.captured_queries)


def test_after_the_nightly_recount_the_default_ranking_is_served_from_the_cache(
    year: Year,
) -> None:
    from django.core.cache import cache

    from xinfang.statistics.tasks import recount_statistics_job

    c = year.cast
    cache.clear()
    recount_statistics_job.call_local()
    ranking._MEMO._values.clear()  # another worker: nothing of this process's memo
    august = date(2026, 8, 1)  # the month the page opens with on 2026-09-01
    levels = ranking.ranking_levels(c.county)
    assert ranking.default_level(c.county, levels) == UnitLevel.TOWNSHIP
    for level in levels:
        with CaptureQueriesContext(connection) as queries:
            page = ranking_page(c.county, level, august, Weights(), DEFAULT_MIN_SAMPLE)
        assert page.count and not _reads_aggregates(queries), level
    # As the page opens it, for the county's leader: no read of the aggregates either.
    from django.test import Client
    from django.urls import reverse

    client = Client()
    sign_in(client, year.county_leader)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("statistics:ranking", args=[c.county.pk]))
    assert response.status_code == 200 and "甲镇" in response.content.decode()
    assert not _reads_aggregates(queries)
    # Other weights were not warmed: computed on demand.
    with CaptureQueriesContext(connection) as queries:
        ranking_page(c.county, UnitLevel.TOWNSHIP, august, Weights(3, 1, 1))
    assert _reads_aggregates(queries)


def test_warming_is_bounded(year: Year) -> None:
    from django.core.cache import cache

    cache.clear()
    refresh_months([date(2026, 8, 1), date(2026, 7, 1)])
    assert ranking.warm_rankings(date(2026, 8, 1), limit=1) == 1
    assert ranking.warm_rankings(date(2026, 8, 1)) > 1
