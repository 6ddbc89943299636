"""Fixtures of the portal tests: a county petition office, staff to answer, a clean cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit, User
from xinfang.shell.testing import Cast


@dataclass
class Portal:
    cast: Cast
    office: Unit  # the county petition office (the default receiving unit)
    handler_a: User
    leader_a: User
    county_leader: User


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def portal(cast: Cast) -> Portal:
    # Rate-limit counters live in the database cache table, which a transactional test's
    # flush does not empty.
    cache.clear()
    office = Unit.objects.create(
        name="测试县信访局",
        level=UnitLevel.DEPARTMENT,
        parent=cast.county,
        is_petition_office=True,
    )
    return Portal(
        cast=cast,
        office=office,
        handler_a=cast.user_with(Role.HANDLER, cast.unit_a, "portal-handler-a"),
        leader_a=cast.user_with(Role.UNIT_LEADER, cast.unit_a, "portal-leader-a"),
        county_leader=cast.user_with(Role.UNIT_LEADER, cast.county, "portal-county-leader"),
    )
