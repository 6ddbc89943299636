from datetime import date, time, timedelta

import pytest
import time_machine

from xinfang.core.facts import FactWindow, unit_subject
from xinfang.grids import services
from xinfang.grids.assignment import AddressRow
from xinfang.grids.errors import StaffingInvalid
from xinfang.grids.facts import derive_facts, grid_facts
from xinfang.grids.staffing import staffing_of
from xinfang.grids.tests import factories as f
from xinfang.grids.tests.shapes import LAT, LON
from xinfang.org.choices import Role

MON = date(2026, 9, 7)


def _households(c, n_per_address=500, count=4):  # type: ignore[no-untyped-def]
    rows = [
        AddressRow(f"A{i}", LON + 0.001 + i * 0.0001, LAT + 0.001, "", n_per_address)
        for i in range(count)
    ]
    from xinfang.core.workflow import SYSTEM

    services.import_addresses(actor=SYSTEM, community=c.unit, rows=rows)


def test_addresses_are_placed_in_their_grid_and_counted_as_households(cast):
    c = f.community(cast)
    _households(c)
    staffing = staffing_of(c.unit)
    by_code = {gs.grid.boundary.code: gs.households for gs in staffing.grids}
    assert by_code == {"G11": 2000, "G12": 0, "G21": 0, "G22": 0}


def test_the_ratio_is_checked_per_community_with_the_configured_households(cast, settings):
    c = f.community(cast)
    _households(c)
    staffing = staffing_of(c.unit)
    assert (staffing.ratio.workers, staffing.ratio.needed) == (1, 3)
    assert any("专职网格员配备不足" in p for p in staffing.problems)
    settings.GRID_HOUSEHOLDS_PER_WORKER = 2000
    assert staffing_of(c.unit).ratio.ok


def test_a_worker_may_cover_several_grids_and_counts_once(cast):
    c = f.community(cast)
    cast.user_with(Role.GRID_WORKER, c.other_grid, username="worker-g11")
    staffing = staffing_of(c.unit)
    assert staffing.ratio.workers == 1
    assert [gs.grid for gs in staffing.grids if c.worker in gs.workers] == [c.grid, c.other_grid]


def test_ab_roles_pair_two_workers_of_the_grid(cast):
    c = f.community(cast)
    admin = cast.user_with(Role.GRID_HEAD, c.unit)
    b = cast.user_with(Role.GRID_WORKER, c.grid, username="worker-b")
    assert any("未结成AB岗" in p for p in staffing_of(c.unit).problems)
    services.pair_workers(actor=admin, grid=c.grid, a=c.worker, b=b)
    gs = next(gs for gs in staffing_of(c.unit).grids if gs.grid == c.grid)
    assert gs.partner_of(c.worker) == b and gs.partner_of(b) == c.worker
    with pytest.raises(StaffingInvalid, match="两名不同"):
        services.pair_workers(actor=admin, grid=c.grid, a=b, b=b)
    outsider = cast.user_with(Role.GRID_WORKER, c.other_grid, username="worker-g12")
    with pytest.raises(StaffingInvalid, match="不是该网格的网格员"):
        services.pair_workers(actor=admin, grid=c.grid, a=b, b=outsider)


def test_a_supervisor_of_the_street_and_a_head_per_grid_are_expected(cast):
    c = f.community(cast)
    problems = staffing_of(c.unit).problems
    assert "所在街道（乡镇）未配网格督导员" in problems and f"{c.grid.name} 未配格长" in problems
    cast.user_with(Role.GRID_SUPERVISOR, cast.unit_a)
    assert "所在街道（乡镇）未配网格督导员" not in staffing_of(c.unit).problems


@time_machine.travel("2026-09-15 10:00 +08:00", tick=False)
def test_a_staffed_grid_without_a_patrol_on_a_working_day_is_a_fact_of_the_grid(cast):
    c = f.community(cast)
    for day in (MON, MON + timedelta(days=1), MON + timedelta(days=3), MON + timedelta(days=4)):
        services.record_patrol(
            actor=c.worker, grid=c.grid, day=day, started=time(9), ended=time(12)
        )
    facts = [fact for _path, fact in derive_facts(MON, MON + timedelta(days=6))]
    patrols = [x for x in facts if x.key == "grids.patrol.missing"]
    assert [(x.subject, x.date) for x in patrols] == [
        (unit_subject(c.grid), MON + timedelta(days=2))
    ]
    assert c.worker.full_name not in patrols[0].note and c.grid.name in patrols[0].note
    # Unstaffed grids owe nothing; the community owes its daily meetings, the street its review.
    assert {x.subject for x in facts if x.key == "grids.patrol.missing"} == {unit_subject(c.grid)}
    assert len([x for x in facts if x.key == "grids.meeting.missing"]) == 5
    assert [x.date for x in facts if x.key == "grids.review.missing"] == [MON + timedelta(days=6)]


@time_machine.travel("2026-09-15 10:00 +08:00", tick=False)
def test_a_held_meeting_and_review_are_not_missing(cast):
    c = f.community(cast)
    with time_machine.travel("2026-09-07 18:00 +08:00", tick=False):
        services.hold_meeting(
            actor=cast.user_with(Role.GRID_HEAD, c.unit), community=c.unit, dispositions={}
        )
        services.record_review(
            actor=cast.user_with(Role.GRID_SUPERVISOR, cast.unit_a), street=cast.unit_a
        )
    facts = [fact for _p, fact in derive_facts(MON, MON + timedelta(days=6))]
    assert MON not in [x.date for x in facts if x.key == "grids.meeting.missing"]
    assert not [x for x in facts if x.key == "grids.review.missing"]


@time_machine.travel("2026-09-15 10:00 +08:00", tick=False)
def test_an_item_handed_on_and_not_resolved_by_its_deadline_is_a_fact_of_the_unit(cast):
    c = f.community(cast)
    with time_machine.travel("2026-09-07 10:00 +08:00", tick=False):
        services.hand_on_item(
            actor=c.worker,
            item=f.log_item(c),
            unit=cast.department,
            deadline=MON + timedelta(days=2),
        )
    facts = grid_facts(FactWindow.of(MON, MON + timedelta(days=6)), [cast.county])
    overdue = [x for x in facts if x.key == "grids.item.overdue"]
    assert [(x.subject, x.date) for x in overdue] == [
        (unit_subject(cast.county), MON + timedelta(days=3))
    ]
    assert overdue[0].evidence.startswith("grids.LogItem:")


def test_a_grid_worker_cannot_set_the_ab_roles(cast):
    from xinfang.core.errors import NotFoundOrForbidden

    c = f.community(cast)
    b = cast.user_with(Role.GRID_WORKER, c.grid, username="worker-b")
    with pytest.raises(NotFoundOrForbidden):
        services.pair_workers(actor=c.worker, grid=c.grid, a=c.worker, b=b)


@time_machine.travel("2026-09-15 10:00 +08:00", tick=False)
def test_a_street_whose_supervisor_did_not_patrol_in_a_week_owes_that_week(cast):
    c = f.community(cast)
    supervisor = cast.user_with(Role.GRID_SUPERVISOR, cast.unit_a, username="duDao")
    services.record_patrol(
        actor=supervisor, grid=c.grid, day=MON - timedelta(days=5), started=time(9), ended=time(10)
    )
    facts = grid_facts(
        FactWindow.of(MON - timedelta(days=7), MON + timedelta(days=6)), [cast.county]
    )
    missing = [x for x in facts if x.key == "grids.supervision.missing"]
    # The week with the patrol owes nothing; the next one is a fact of the street.
    assert [(x.subject, x.date) for x in missing] == [
        (unit_subject(cast.county), MON + timedelta(days=6))
    ]
    assert cast.unit_a.name in missing[0].note and "duDao" not in missing[0].note
    assert missing[0].evidence == f"org.Unit:{cast.unit_a.pk}"


@time_machine.travel("2026-09-15 10:00 +08:00", tick=False)
def test_a_street_without_a_supervisor_owes_no_supervisor_patrol(cast):
    f.community(cast)
    facts = [x for _p, x in derive_facts(MON, MON + timedelta(days=6))]
    assert not [x for x in facts if x.key == "grids.supervision.missing"]
