"""Fixtures of the petitions tests: the cast plus role holders, and a scratch MEDIA_ROOT."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from xinfang.org.choices import Role
from xinfang.org.models import User
from xinfang.petitions.tests.fixtures import UnitStaff, scratch_media, unit_staff
from xinfang.shell.testing import Cast

__all__ = ["People", "people", "scratch_media"]


@dataclass
class People(UnitStaff):
    registrar: User  # county petition office registrar (register on the county)
    town_registrar: User  # unit_a registrar
    handler_dept: User
    leader_dept: User
    county_leader: User
    discipline_leader: User


@pytest.fixture
def people(cast: Cast) -> People:
    staff = unit_staff(cast)
    return People(
        **staff,
        registrar=cast.user_with(Role.REGISTRAR, cast.county, "county-registrar"),
        town_registrar=cast.user_with(Role.REGISTRAR, cast.unit_a, "town-registrar"),
        handler_dept=cast.user_with(Role.HANDLER, cast.department, "handler-dept"),
        leader_dept=cast.user_with(Role.UNIT_LEADER, cast.department, "leader-dept"),
        county_leader=cast.user_with(Role.UNIT_LEADER, cast.county, "county-leader"),
        discipline_leader=cast.user_with(
            Role.UNIT_LEADER, staff["discipline"], "discipline-leader"
        ),
    )
