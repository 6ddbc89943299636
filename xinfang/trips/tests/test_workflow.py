"""The request's workflow: rules before filing, exceptions by the approving level, approval
by rank, dues after return with reminders through the outbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.models import Message
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit
from xinfang.trips import services
from xinfang.trips.choices import Rank, TripStatus
from xinfang.trips.errors import ExceptionRefused, RulesViolated
from xinfang.trips.models import TripRequest, TripTransition
from xinfang.trips.tests import factories as f
from xinfang.trips.workflow import STEPS, WORKFLOW, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast):
    return {
        "handler": cast.user_with(Role.HANDLER, cast.department, "handler-land"),
        "county": cast.user_with(Role.UNIT_LEADER, cast.county, "leader-county"),
        "own_leader": cast.user_with(Role.UNIT_LEADER, cast.department, "leader-land"),
    }


def test_a_request_is_routed_to_the_county_for_section_level_members(cast) -> None:
    trip = f.trip(cast.department)
    assert trip.approving_unit == cast.county


def test_a_county_level_member_routes_it_to_the_city(cast) -> None:
    city = Unit.objects.create(name="测试市", level=UnitLevel.CITY)
    Unit.objects.filter(pk=cast.county.pk).update(parent=city)
    cast.county.parent = city
    cast.county.save()
    department = Unit.objects.get(pk=cast.department.pk)
    trip = f.trip(department, members=(("张局长", Rank.COUNTY_DEPUTY), ("陈晓", Rank.STAFF)))
    assert trip.approving_unit == city


def test_filing_is_refused_while_a_rule_is_broken(cast, people) -> None:
    trip = f.trip(cast.department, countries=("德国", "荷兰", "比利时"), visa_in=5)
    with pytest.raises(RulesViolated) as refused:
        transition(trip, "submit", actor=people["handler"])
    assert "3 个国家" in str(refused.value) and "不足 21 天" in str(refused.value)
    assert TripRequest.objects.get(pk=trip.pk).status == TripStatus.DRAFT


def test_an_exception_needs_the_approving_level_and_a_reason(cast, people) -> None:
    trip = f.trip(cast.department, visa_in=5)
    with pytest.raises(ExceptionRefused):
        services.grant_exception(
            actor=people["own_leader"], trip=trip, code="file_ahead_days", reason="急需"
        )
    with pytest.raises(ExceptionRefused):
        services.grant_exception(
            actor=people["county"], trip=trip, code="file_ahead_days", reason=" "
        )
    services.grant_exception(
        actor=people["county"], trip=trip, code="file_ahead_days", reason="外方邀请临时提前"
    )
    transition(trip, "submit", actor=people["handler"])
    assert trip.status == TripStatus.SUBMITTED
    assert trip.violations[0]["code"] == "file_ahead_days"


def test_only_the_approving_level_approves(cast, people) -> None:
    trip = f.trip(cast.department)
    transition(trip, "submit", actor=people["handler"])
    for actor in (people["handler"], people["own_leader"]):
        with pytest.raises(NotFoundOrForbidden):
            transition(trip, "approve", actor=actor)
    transition(trip, "approve", actor=people["county"])
    assert trip.status == TripStatus.APPROVED and trip.approved_on == timezone.localdate()


def test_approval_checks_again_against_trips_approved_meanwhile(cast, people) -> None:
    first = f.trip(cast.department, title="第一团")
    second = f.trip(cast.department, title="第二团", depart_in=60)
    transition(first, "submit", actor=people["handler"])
    with pytest.raises(RulesViolated, match="超过每年 1 次"):
        transition(second, "submit", actor=people["handler"])


def test_sending_back_needs_a_reason_and_reopens_the_draft(cast, people) -> None:
    trip = f.trip(cast.department)
    transition(trip, "submit", actor=people["handler"])
    transition(trip, "send_back", actor=people["county"], reason="请补充日程安排")
    assert trip.status == TripStatus.DRAFT and trip.filed_on is None


def test_return_sets_both_dues_and_the_reminders_go_to_the_unit(cast, people) -> None:
    trip = f.trip(cast.department, depart_in=40, days=6)
    transition(trip, "submit", actor=people["handler"])
    transition(trip, "approve", actor=people["county"])
    back = trip.return_on
    with time_machine.travel(back + timedelta(days=1), tick=False):
        transition(trip, "record_return", actor=people["handler"], data={"returned_on": back})
    assert trip.passport_due is not None and trip.passport_due >= back + timedelta(days=15)
    assert trip.report_due is not None and trip.report_due >= back + timedelta(days=28)
    assert services.remind_trip_dues(trip.passport_due - timedelta(days=10)) == 0
    assert services.remind_trip_dues(trip.passport_due - timedelta(days=2)) == 1
    assert services.remind_trip_dues(trip.passport_due - timedelta(days=1)) == 0  # once
    late = trip.passport_due + timedelta(days=1)
    assert services.remind_trip_dues(late) == 1
    assert TripRequest.objects.passport_overdue(late).get() == trip
    messages = Message.objects.filter(kind="trip_due").order_by("pk")
    assert [m.recipient_unit_id for m in messages] == [cast.department.pk] * 2
    assert "已逾期" in messages.last().text


def test_the_report_and_the_passport_close_the_dues(cast, people) -> None:
    trip = f.trip(cast.department, depart_in=40, days=6)
    transition(trip, "submit", actor=people["handler"])
    transition(trip, "approve", actor=people["county"])
    with time_machine.travel(trip.return_on + timedelta(days=3), tick=False):
        transition(
            trip, "record_return", actor=people["handler"], data={"returned_on": trip.return_on}
        )
        transition(trip, "hand_back_passport", actor=people["handler"], data={})
        transition(trip, "file_report", actor=people["handler"], data={"text": "考察报告正文"})
        assert TripRequest.objects.dues_open().count() == 0
        assert services.remind_trip_dues(date(2030, 1, 1)) == 0
    steps = list(TripTransition.objects.filter(trip=trip).values_list("step", flat=True))
    assert steps == ["submit", "approve", "record_return", "hand_back_passport", "file_report"]


def test_a_return_in_the_future_is_refused(cast, people) -> None:
    trip = f.trip(cast.department)
    transition(trip, "submit", actor=people["handler"])
    transition(trip, "approve", actor=people["county"])
    with pytest.raises(Exception, match="不晚于今天"):
        transition(
            trip, "record_return", actor=people["handler"], data={"returned_on": trip.return_on}
        )


def test_every_step_outside_the_table_is_refused(cast, people) -> None:
    trip = f.trip(cast.department)
    for name, step in STEPS.items():
        if TripStatus.DRAFT in step.sources:
            continue
        with pytest.raises(Exception, match="不能执行"):
            transition(trip, name, actor=people["county"], reason="x", data={})


def test_every_step_needs_its_grant(cast) -> None:
    trip = f.trip(cast.department)
    outsider = cast.user_with(Role.UNIT_LEADER, cast.unit_b)
    for step in WORKFLOW.steps:
        assert not WORKFLOW.may(outsider, trip, step)


def test_an_office_adjusts_a_rule_for_its_subtree(cast, people) -> None:
    services.set_rule(
        actor=people["county"], unit=cast.county, code="countries_max", value=3, enabled=True
    )
    trip = f.trip(cast.department, countries=("德国", "荷兰", "比利时"), days=8)
    assert [v.code for v in services.violations_of(trip, timezone.localdate())] == []
    with pytest.raises(ExceptionRefused):
        services.set_rule(
            actor=people["handler"], unit=cast.county, code="countries_max", value=9, enabled=True
        )
