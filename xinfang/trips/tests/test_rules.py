"""The rules of 渝委发〔2005〕14号 as data (pure: no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from xinfang.trips.choices import Rank, TripType
from xinfang.trips.rules import (
    DEFAULT_RULES,
    MemberFacts,
    OtherTrip,
    RuleValue,
    TripFacts,
    check,
    days_abroad,
    plan_is_late,
)

FILED = date(2026, 9, 1)
LIU = MemberFacts("刘建国", 1, "县自然资源局", Rank.SECTION)
CHEN = MemberFacts("陈晓", 1, "县自然资源局", Rank.STAFF)


def _trip(**kw: object) -> TripFacts:
    base = TripFacts(
        trip_type=TripType.VISIT,
        countries=("德国",),
        depart_on=date(2026, 10, 20),
        return_on=date(2026, 10, 25),
        visa_apply_on=date(2026, 9, 25),
        members=(LIU, CHEN),
        in_plan=True,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _codes(trip: TripFacts, others: tuple[OtherTrip, ...] = (), **rules: RuleValue) -> list[str]:
    return [v.code for v in check(trip, {**DEFAULT_RULES, **rules}, others, FILED)]


def test_a_trip_within_every_rule_breaks_none() -> None:
    assert _codes(_trip()) == []


def test_days_abroad_count_both_travel_days() -> None:
    assert days_abroad(date(2026, 10, 20), date(2026, 10, 25)) == 6


def test_seven_members_exceed_the_six_of_clause_five() -> None:
    members = tuple(MemberFacts(f"成员{i}", 1, "局", Rank.STAFF) for i in range(7))
    [violation] = check(_trip(members=members), DEFAULT_RULES, (), FILED)
    assert violation.code == "members_max"
    assert "7 人" in violation.message and "第（五）条" in violation.source


def test_three_countries_exceed_two_and_the_ten_day_limit_applies() -> None:
    trip = _trip(countries=("德国", "荷兰", "比利时"), return_on=date(2026, 10, 30))
    assert _codes(trip) == ["countries_max", "days_two_countries"]


def test_seven_days_in_one_country_exceed_six_but_two_countries_allow_ten() -> None:
    week = date(2026, 10, 26)
    assert _codes(_trip(return_on=week)) == ["days_one_country"]
    assert _codes(_trip(return_on=week, countries=("德国", "荷兰"))) == []


def test_training_lasts_three_weeks_to_six_months() -> None:
    training = _trip(trip_type=TripType.TRAINING)
    assert _codes(training) == ["training_min_days"]
    assert _codes(replace(training, return_on=date(2026, 11, 9))) == []
    assert _codes(replace(training, return_on=date(2027, 4, 19))) == []
    assert _codes(replace(training, return_on=date(2027, 4, 20))) == ["training_max_months"]


def test_a_second_trip_in_the_same_year_is_flagged_for_the_person() -> None:
    earlier = OtherTrip("赴日本考察团", date(2026, 3, 1), date(2026, 3, 5), (CHEN,))
    [violation] = check(_trip(), DEFAULT_RULES, (earlier,), FILED)
    assert violation.code == "trips_per_year" and "陈晓" in violation.message


def test_a_trip_of_another_year_does_not_count() -> None:
    earlier = OtherTrip("赴日本考察团", date(2025, 3, 1), date(2025, 3, 5), (CHEN,))
    assert _codes(_trip(), (earlier,)) == []


def test_two_same_level_leaders_of_one_unit_may_not_travel_together() -> None:
    deputy = MemberFacts("周明", 1, "县自然资源局", Rank.SECTION)
    assert _codes(_trip(members=(LIU, deputy))) == ["same_level_leaders"]


def test_nor_lead_separate_delegations_abroad_at_the_same_time() -> None:
    deputy = MemberFacts("周明", 1, "县自然资源局", Rank.SECTION)
    other = OtherTrip("赴法国考察团", date(2026, 10, 22), date(2026, 10, 27), (deputy,))
    assert _codes(_trip(), (other,)) == ["same_level_leaders"]


def test_staff_below_leader_rank_are_not_leaders_for_that_rule() -> None:
    colleague = MemberFacts("黄磊", 1, "县自然资源局", Rank.STAFF)
    assert _codes(_trip(members=(CHEN, colleague))) == []


def test_a_request_is_filed_three_weeks_before_the_visas() -> None:
    [violation] = check(_trip(visa_apply_on=date(2026, 9, 21)), DEFAULT_RULES, (), FILED)
    assert violation.code == "file_ahead_days" and "第（十三）条" in violation.source
    assert _codes(_trip(visa_apply_on=date(2026, 9, 22))) == []


def test_a_trip_outside_the_plan_is_flagged() -> None:
    assert _codes(_trip(in_plan=False)) == ["plan_required"]


def test_an_office_may_adjust_a_value_or_switch_a_rule_off() -> None:
    members = tuple(MemberFacts(f"成员{i}", 1, "局", Rank.STAFF) for i in range(7))
    loose = replace(DEFAULT_RULES["members_max"], value=8)
    off = replace(DEFAULT_RULES["plan_required"], enabled=False)
    assert _codes(_trip(members=members, in_plan=False), members_max=loose, plan_required=off) == []


def test_a_plan_is_due_in_early_november_of_the_year_before() -> None:
    assert not plan_is_late(2027, date(2026, 11, 10), DEFAULT_RULES)
    assert plan_is_late(2027, date(2026, 11, 11), DEFAULT_RULES)


@given(st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=3))
def test_a_visit_is_flagged_exactly_when_longer_than_its_limit(days: int, n: int) -> None:
    countries = tuple(["德国", "荷兰", "法国"][:n])
    trip = _trip(countries=countries, return_on=date(2026, 10, 20) + timedelta(days=days - 1))
    limit = 6 if n == 1 else 10
    assert ("days_one_country" in _codes(trip) or "days_two_countries" in _codes(trip)) == (
        days > limit
    )
