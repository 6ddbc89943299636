"""Who staffs a community's grids (role grants, AB pairs) and whether it is enough.

Staffing is role grants, not a permission model of its own: a grid head (格长) or grid
worker (网格员) holds the role on the grid (or on the community, covering all its grids);
the street's supervisor (督导员) holds it on the street. A worker may cover several grids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum

from xinfang.grids.cadence import StaffingRatio, staffing_ratio
from xinfang.grids.models import Address, WorkerPair
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import RoleGrant, Unit, User

__all__ = ["CommunityStaffing", "GridStaff", "staffing_of"]


def ancestor_paths(unit: Unit) -> list[str]:
    parts = unit.path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@dataclass
class GridStaff:
    grid: Unit
    heads: list[User] = field(default_factory=list)
    workers: list[User] = field(default_factory=list)
    pairs: list[WorkerPair] = field(default_factory=list)
    households: int = 0

    def partner_of(self, user: User) -> User | None:
        for pair in self.pairs:
            if pair.a_id == user.pk:
                return pair.b
            if pair.b_id == user.pk:
                return pair.a
        return None


@dataclass
class CommunityStaffing:
    community: Unit
    grids: list[GridStaff]
    supervisors: list[User]
    ratio: StaffingRatio
    problems: list[str]


def staffing_of(community: Unit) -> CommunityStaffing:
    grids = list(Unit.objects.filter(parent=community, level=UnitLevel.GRID, is_active=True))
    inherited = RoleGrant.objects.filter(unit__path__in=ancestor_paths(community)).select_related(
        "user"
    )
    own = RoleGrant.objects.filter(unit__in=grids).select_related("user")
    households = dict(
        Address.objects.filter(community=community, grid__isnull=False)
        .values_list("grid")
        .annotate(n=Sum("households"))
    )
    pairs: dict[int, list[WorkerPair]] = defaultdict(list)
    for pair in WorkerPair.objects.filter(grid__in=grids).select_related("a", "b"):
        pairs[pair.grid_id].append(pair)
    staff = {
        g.pk: GridStaff(g, pairs=pairs[g.pk], households=households.get(g.pk, 0)) for g in grids
    }
    community_wide = [g for g in inherited if g.unit_id == community.pk]
    for grant in [*own, *community_wide]:
        targets = [staff[grant.unit_id]] if grant.unit_id in staff else list(staff.values())
        for gs in targets:
            if grant.role == Role.GRID_HEAD and grant.user not in gs.heads:
                gs.heads.append(grant.user)
            elif grant.role == Role.GRID_WORKER and grant.user not in gs.workers:
                gs.workers.append(grant.user)
    supervisors = sorted(
        {g.user for g in inherited if g.role == Role.GRID_SUPERVISOR}, key=lambda u: u.pk
    )
    full_time = {u.pk for gs in staff.values() for u in (*gs.heads, *gs.workers)}
    total = Address.objects.filter(community=community).aggregate(n=Sum("households"))["n"] or 0
    ratio = staffing_ratio(total, len(full_time), settings.GRID_HOUSEHOLDS_PER_WORKER)
    problems = []
    for gs in staff.values():
        if not gs.heads:
            problems.append(f"{gs.grid.name} 未配格长")
        if not gs.workers:
            problems.append(f"{gs.grid.name} 未配网格员")
        for worker in gs.workers:
            if len(gs.workers) > 1 and gs.partner_of(worker) is None:
                problems.append(
                    f"{gs.grid.name} 的 {worker.full_name or worker.username} 未结成AB岗"
                )
    if grids and not supervisors:
        problems.append("所在街道（乡镇）未配网格督导员")
    if not ratio.ok:
        problems.append(f"专职网格员配备不足：{ratio.text()}")
    return CommunityStaffing(community, list(staff.values()), supervisors, ratio, problems)
