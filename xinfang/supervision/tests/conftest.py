"""Fixtures of the supervision tests: the cast plus the people supervision involves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from xinfang.core.testing import Cast
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit, User


@dataclass
class Crew:
    cast: Cast
    supervisor: User  # county supervising officer (督办人)
    county_leader: User  # receiving leader at the county (包案领导)
    handler_a: User
    leader_a: User
    handler_b: User
    discipline: Unit
    discipline_handler: User


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def crew(cast: Cast) -> Crew:
    discipline = Unit.objects.create(
        name="测试县纪委监委",
        level=UnitLevel.DEPARTMENT,
        parent=cast.county,
        is_discipline_body=True,
    )
    return Crew(
        cast=cast,
        supervisor=cast.user_with(Role.SUPERVISOR, cast.county, "county-supervisor"),
        county_leader=cast.user_with(Role.RECEIVING_LEADER, cast.county, "county-reception"),
        handler_a=cast.user_with(Role.HANDLER, cast.unit_a, "handler-a"),
        leader_a=cast.user_with(Role.UNIT_LEADER, cast.unit_a, "leader-a"),
        handler_b=cast.user_with(Role.HANDLER, cast.unit_b, "handler-b"),
        discipline=discipline,
        discipline_handler=cast.user_with(Role.HANDLER, discipline, "discipline-handler"),
    )
