"""Ledger dues in a year whose holiday schedule is not entered yet are stored, not refused.

The 2027 rows entered here are fictional test data (only one extra rest day), never a
schedule; 2027 is removed first so the tests keep their meaning whatever the calendar
package covers.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.core.calendar import recompute_pending_dues
from xinfang.core.models import CalendarDay, CalendarYear
from xinfang.ledgers import services
from xinfang.ledgers.choices import Cadence, RoundKind
from xinfang.ledgers.facts import derive_facts
from xinfang.ledgers.models import ScreeningRound
from xinfang.org.choices import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("year_2027_not_entered")]
TZ = ZoneInfo("Asia/Shanghai")


def _enter_2027(*rest_days: date) -> dict[str, int]:
    CalendarYear.objects.create(year=2027, source="测试用虚构安排")
    for day in rest_days:
        CalendarDay.objects.create(date=day, is_working_day=False, name="测试假日")
    return recompute_pending_dues()


def _monthly_with_offset(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    return services.create_obligation(
        actor=leader,
        unit=cast.unit_a,
        title="月报",
        cadence=Cadence.MONTHLY,
        due_time=time(17, 0),
        due_offset_working_days=3,
        valid_from=date(2026, 11, 1),
        valid_to=date(2026, 12, 31),
    )


def test_obligation_valid_to_year_end_is_stored_with_a_pending_due(cast):
    # December's report is due on the 3rd working day after 31 December: in 2027.
    ob = _monthly_with_offset(cast)
    november, december = ob.dues.order_by("period_start")
    assert not november.due_pending
    assert december.due_pending
    assert december.due_at == datetime(2027, 1, 3, 17, 0, tzinfo=TZ)  # not before 31 + 3
    assert december.due_text() == "待定，不早于 2027-01-03 17:00"


def test_a_pending_report_is_never_marked_missing_or_late(cast):
    ob = _monthly_with_offset(cast)
    november, december = ob.dues.order_by("period_start")
    with time_machine.travel(datetime(2027, 1, 20, 9, 0, tzinfo=TZ)):
        assert services.mark_missing(datetime(2027, 1, 20, 9, 0, tzinfo=TZ)) == 1
        facts = derive_facts(date(2026, 12, 1), date(2027, 1, 31))
    november.refresh_from_db()
    december.refresh_from_db()
    assert (november.status, december.status) == ("missing", "due")  # November: control
    notes = [f.note for f in facts]
    assert any("11月01日—11月30日" in n for n in notes)  # the control is a fact…
    assert not any("12月01日—12月31日" in n for n in notes)  # …the pending one is not


def test_entering_the_year_fills_in_the_report_due(cast):
    ob = _monthly_with_offset(cast)
    # Reminded against the earliest possible time, it is reminded again of the real one.
    ob.dues.filter(period_start=date(2026, 12, 1)).update(
        reminded_at=datetime(2027, 1, 3, tzinfo=TZ)
    )
    # With fictional rest days on Friday 1 and Monday 4 January, the third working day after
    # 31 December is Thursday 7 January (5 Tue, 6 Wed, 7 Thu).
    changed = _enter_2027(date(2027, 1, 1), date(2027, 1, 4))
    assert changed["台账报送与排查"] == 1
    december = ob.dues.get(period_start=date(2026, 12, 1))
    assert not december.due_pending
    assert december.due_at == datetime(2027, 1, 7, 17, 0, tzinfo=TZ)
    assert december.reminded_at is None


def test_a_round_ending_on_a_day_of_an_uncovered_year_is_stored_pending(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    services.create_screening_rule(
        actor=leader,
        unit=cast.unit_a,
        kind=RoundKind.REGULAR,
        cadence=Cadence.MONTHLY,
        starts_on=date(2026, 12, 1),
        ends_on=date(2027, 1, 31),
    )
    january = ScreeningRound.objects.get(period_start=date(2027, 1, 1))
    assert january.due_pending and january.due_date == date(2027, 1, 31)
    assert january.due_text() == "待定，暂按 2027-01-31"
    assert not ScreeningRound.objects.overdue(date(2027, 2, 10)).filter(pk=january.pk).exists()
    _enter_2027()
    january.refresh_from_db()
    # 2027-01-31 is a Sunday: the round is due on Monday 1 February.
    assert not january.due_pending and january.due_date == date(2027, 2, 1)
