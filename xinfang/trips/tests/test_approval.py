"""Approval is routed by the rank of the most senior member (渝委发〔2005〕14号 第(十二)条)."""

from __future__ import annotations

from xinfang.org.choices import UnitLevel
from xinfang.trips.approval import approving_level, approving_unit_path, most_senior
from xinfang.trips.choices import Rank

CHAIN = [
    (UnitLevel.PROVINCE, "/1/"),
    (UnitLevel.CITY, "/1/2/"),
    (UnitLevel.COUNTY, "/1/2/3/"),
    (UnitLevel.DEPARTMENT, "/1/2/3/4/"),
]


def test_the_most_senior_member_decides() -> None:
    assert most_senior([Rank.STAFF, Rank.COUNTY_DEPUTY, Rank.SECTION]) == Rank.COUNTY_DEPUTY


def test_a_county_level_leader_is_approved_by_the_city() -> None:
    level = approving_level([Rank.STAFF, Rank.COUNTY_CHIEF]).level
    assert approving_unit_path(level, CHAIN) == "/1/2/"


def test_section_level_and_staff_are_approved_by_the_county() -> None:
    level = approving_level([Rank.STAFF, Rank.SECTION]).level
    assert approving_unit_path(level, CHAIN) == "/1/2/3/"


def test_bureau_level_goes_to_the_province() -> None:
    assert approving_level([Rank.BUREAU_DEPUTY]).level == UnitLevel.PROVINCE


def test_a_tree_without_the_level_falls_back_to_its_top() -> None:
    chain = [(UnitLevel.COUNTY, "/9/"), (UnitLevel.TOWNSHIP, "/9/10/")]
    assert approving_unit_path(UnitLevel.CITY, chain) == "/9/"
