"""Grids test data: a community with two grids under the cast's township, and its staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from xinfang.core.workflow import SYSTEM
from xinfang.grids import services
from xinfang.grids.choices import LogItemTopic
from xinfang.grids.geometry import parse_tiling
from xinfang.grids.models import LogItem
from xinfang.grids.tests import shapes
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit, User
from xinfang.shell.testing import Cast


@dataclass
class Community:
    unit: Unit
    grid: Unit
    other_grid: Unit
    worker: User


def community(cast: Cast, *, tiling: bool = True) -> Community:
    """``cast.village_a`` with grids G11, G12, G21, G22 and a worker on G11."""
    unit = cast.village_a
    if tiling:
        services.import_tiling(
            actor=SYSTEM, community=unit, tiling=parse_tiling(shapes.text(shapes.grids()))
        )
    grids = {g.boundary.code: g for g in Unit.objects.filter(parent=unit, level=UnitLevel.GRID)}
    if not grids:
        grids = {
            code: Unit.objects.create(name=f"甲村{code}网格", level=UnitLevel.GRID, parent=unit)
            for code in ("G11", "G12")
        }
    grid, other = grids["G11"], grids["G12"]
    worker = cast.user_with(Role.GRID_WORKER, grid, username="worker-g11")
    return Community(unit, grid, other, worker)


def log_item(c: Community, summary: str = "楼道灯坏了三天", contact: str = "") -> LogItem:
    return services.record_log_item(
        actor=c.worker, grid=c.grid, topic=LogItemTopic.LIVELIHOOD, summary=summary, contact=contact
    )


def patrol(c: Community, day, start=time(9), end=time(11)):  # type: ignore[no-untyped-def]
    return services.record_patrol(actor=c.worker, grid=c.grid, day=day, started=start, ended=end)
