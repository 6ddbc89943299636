"""Fixtures of the petitions tests: the cast plus role holders, and a scratch MEDIA_ROOT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from xinfang.core.testing import Cast
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit, User


@dataclass
class People:
    cast: Cast
    registrar: User  # county petition office registrar (register on the county)
    town_registrar: User  # unit_a registrar
    handler_a: User
    leader_a: User
    handler_dept: User
    leader_dept: User
    county_leader: User
    handler_b: User
    discipline: Unit
    discipline_handler: User
    discipline_leader: User


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def people(cast: Cast) -> People:
    discipline = Unit.objects.create(
        name="测试县纪委监委",
        level=UnitLevel.DEPARTMENT,
        parent=cast.county,
        is_discipline_body=True,
    )
    return People(
        cast=cast,
        registrar=cast.user_with(Role.REGISTRAR, cast.county, "county-registrar"),
        town_registrar=cast.user_with(Role.REGISTRAR, cast.unit_a, "town-registrar"),
        handler_a=cast.user_with(Role.HANDLER, cast.unit_a, "handler-a"),
        leader_a=cast.user_with(Role.UNIT_LEADER, cast.unit_a, "leader-a"),
        handler_dept=cast.user_with(Role.HANDLER, cast.department, "handler-dept"),
        leader_dept=cast.user_with(Role.UNIT_LEADER, cast.department, "leader-dept"),
        county_leader=cast.user_with(Role.UNIT_LEADER, cast.county, "county-leader"),
        handler_b=cast.user_with(Role.HANDLER, cast.unit_b, "handler-b"),
        discipline=discipline,
        discipline_handler=cast.user_with(Role.HANDLER, discipline, "discipline-handler"),
        discipline_leader=cast.user_with(Role.UNIT_LEADER, discipline, "discipline-leader"),
    )
