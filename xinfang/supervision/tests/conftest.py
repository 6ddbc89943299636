"""Fixtures of the supervision tests: the cast plus the people supervision involves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from xinfang.org.choices import Role
from xinfang.org.models import User
from xinfang.petitions.tests.fixtures import UnitStaff, scratch_media, unit_staff
from xinfang.shell.testing import Cast

__all__ = ["Crew", "crew", "scratch_media"]


@dataclass
class Crew(UnitStaff):
    supervisor: User  # county supervising officer (督办人)
    county_leader: User  # receiving leader at the county (包案领导)


@pytest.fixture
def crew(cast: Cast) -> Crew:
    return Crew(
        **unit_staff(cast),
        supervisor=cast.user_with(Role.SUPERVISOR, cast.county, "county-supervisor"),
        county_leader=cast.user_with(Role.RECEIVING_LEADER, cast.county, "county-reception"),
    )
