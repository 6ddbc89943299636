"""Fixtures shared by the tests of the petitions app and of the apps built on its matters
(supervision): a scratch MEDIA_ROOT and the unit staff who handle a matter.

A conftest imports what it uses (``from xinfang.petitions.tests.fixtures import …``);
importing the autouse ``scratch_media`` fixture turns it on for that test directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit, User
from xinfang.shell.testing import Cast

__all__ = ["UnitStaff", "scratch_media", "unit_staff"]


@pytest.fixture(autouse=True)
def scratch_media(settings: Any, tmp_path: Any) -> None:
    """Uploads and exports of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass
class UnitStaff:
    """Handlers and leaders of the cast's units, and a discipline body (纪委监委) with its
    handler: where an accusation may be handed (条例 Art. 30)."""

    cast: Cast
    handler_a: User
    leader_a: User
    handler_b: User
    discipline: Unit
    discipline_handler: User


def unit_staff(cast: Cast) -> dict[str, Any]:
    """The fields of :class:`UnitStaff`, created on ``cast``, as keyword arguments."""
    discipline = Unit.objects.create(
        name="测试县纪委监委",
        level=UnitLevel.DEPARTMENT,
        parent=cast.county,
        is_discipline_body=True,
    )
    return {
        "cast": cast,
        "handler_a": cast.user_with(Role.HANDLER, cast.unit_a, "handler-a"),
        "leader_a": cast.user_with(Role.UNIT_LEADER, cast.unit_a, "leader-a"),
        "handler_b": cast.user_with(Role.HANDLER, cast.unit_b, "handler-b"),
        "discipline": discipline,
        "discipline_handler": cast.user_with(Role.HANDLER, discipline, "discipline-handler"),
    }
