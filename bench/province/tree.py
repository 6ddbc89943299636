"""The synthetic province: 5,000 units and 20,000 staff, deterministic.

Province (with its departments) → 8 cities (with departments) → 5 counties each (15
departments: the petition bureau 信访局, the discipline body 纪委监委, and 13 others) → 10
townships each → 5 communities each → grids, topped up to exactly 5,000 units. Staff are
spread by level (more at petition offices and townships) and topped up to 20,000; each holds
a role grant on their own unit (leaders of petition offices also supervise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UNITS = 5_000
STAFF = 20_000
CITIES, COUNTIES_PER_CITY, TOWNSHIPS_PER_COUNTY, COMMUNITIES_PER_TOWNSHIP = 8, 5, 10, 5
PROVINCE_DEPTS, CITY_DEPTS, COUNTY_DEPTS = 20, 12, 15

_A = "青原临安平江丰泽长宁永和云溪北川东阳西林南湖清河安远德化兴隆"
_B = "山河城湖岭桥台塘湾坪溪州原阳江川林田"
_DEPTS = [
    "信访局",
    "纪委监委",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "自然资源局",
    "公安局",
    "教育局",
    "卫生健康委",
    "民政局",
    "市场监督管理局",
    "生态环境局",
    "农业农村局",
    "交通运输局",
    "城市管理局",
    "司法局",
    "财政局",
    "应急管理局",
    "退役军人事务局",
    "医疗保障局",
    "水利局",
]


def _name(i: int, suffix: str) -> str:
    return _A[i % len(_A)] + _B[(i * 7 + i // len(_A)) % len(_B)] + suffix


@dataclass
class Tree:
    """Units as parallel lists (index = id - 1) plus the pools the generator draws from."""

    name: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    parent: list[int | None] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    admin_code: list[str] = field(default_factory=list)
    petition_office: list[bool] = field(default_factory=list)
    discipline: list[bool] = field(default_factory=list)
    county_of: list[int] = field(default_factory=list)  # county id, 0 above county level
    city_of: list[int] = field(default_factory=list)
    counties: list[int] = field(default_factory=list)
    townships: list[int] = field(default_factory=list)
    communities: list[int] = field(default_factory=list)
    county_office: dict[int, int] = field(default_factory=dict)  # county -> 信访局
    county_discipline: dict[int, int] = field(default_factory=dict)
    county_targets: dict[int, list[int]] = field(default_factory=dict)  # townships + depts
    city_office: dict[int, int] = field(default_factory=dict)
    city_counties: dict[int, list[int]] = field(default_factory=dict)
    province_office: int = 0

    def add(
        self,
        name: str,
        level: str,
        parent: int | None,
        code: str,
        *,
        office: bool = False,
        discipline: bool = False,
    ) -> int:
        uid = len(self.name) + 1
        parent_path = self.path[parent - 1] if parent else ""
        self.name.append(name[:100])
        self.level.append(level)
        self.parent.append(parent)
        self.path.append(f"{parent_path}{uid}/")
        self.admin_code.append(code[:20])
        self.petition_office.append(office)
        self.discipline.append(discipline)
        self.county_of.append(
            uid if level == "county" else (self.county_of[parent - 1] if parent else 0)
        )
        self.city_of.append(uid if level == "city" else (self.city_of[parent - 1] if parent else 0))
        return uid

    def depth(self, uid: int) -> int:
        return self.path[uid - 1].count("/") - 1

    def __len__(self) -> int:
        return len(self.name)


def _departments(tree: Tree, parent: int, code: str, count: int, prefix: str) -> list[int]:
    ids = []
    for d in range(count):
        ids.append(
            tree.add(
                f"{prefix}{_DEPTS[d]}",
                "department",
                parent,
                f"{code}D{d:02d}",
                office=d == 0,
                discipline=d == 1,
            )
        )
    return ids


def build_tree() -> Tree:
    """The province, exactly :data:`UNITS` units."""
    tree = Tree()
    prov = tree.add("江川省", "province", None, "330000")
    depts = _departments(tree, prov, "330000", PROVINCE_DEPTS, "省")
    tree.province_office = depts[0]
    n = 0
    for c in range(CITIES):
        city_code = f"33{c + 1:02d}00"
        city = tree.add(_name(c, "市"), "city", prov, city_code)
        tree.city_office[city] = _departments(tree, city, city_code, CITY_DEPTS, "市")[0]
        tree.city_counties[city] = []
        for k in range(COUNTIES_PER_CITY):
            n += 1
            county_code = f"33{c + 1:02d}{k + 1:02d}"
            county = tree.add(_name(n + 11, "县"), "county", city, county_code)
            tree.counties.append(county)
            tree.city_counties[city].append(county)
            cdepts = _departments(tree, county, county_code, COUNTY_DEPTS, "县")
            tree.county_office[county] = cdepts[0]
            tree.county_discipline[county] = cdepts[1]
            targets = list(cdepts[2:])
            for t in range(TOWNSHIPS_PER_COUNTY):
                town_code = f"{county_code}{t + 1:03d}"
                town = tree.add(_name(n * 13 + t, "镇"), "township", county, town_code)
                tree.townships.append(town)
                targets.append(town)
                for m in range(COMMUNITIES_PER_TOWNSHIP):
                    comm = tree.add(
                        _name(n * 31 + t * 5 + m, "村"), "village", town, f"{town_code}{m:03d}"
                    )
                    tree.communities.append(comm)
            tree.county_targets[county] = targets
    # Grids: round-robin over the communities until the province has exactly UNITS units.
    i = 0
    while len(tree) < UNITS:
        comm = tree.communities[i % len(tree.communities)]
        tree.add(
            f"第{i // len(tree.communities) + 1}网格",
            "grid",
            comm,
            f"{tree.admin_code[comm - 1]}G{i // len(tree.communities)}",
        )
        i += 1
    return tree


@dataclass
class Staff:
    unit: list[int] = field(default_factory=list)
    role: list[str] = field(default_factory=list)  # first grant
    extra: list[tuple[int, str]] = field(default_factory=list)  # (staff index, role)
    by_unit_role: dict[tuple[int, str], int] = field(default_factory=dict)  # first holder


def build_staff(tree: Tree) -> Staff:
    """:data:`STAFF` staff members, each with a grant on their own unit."""
    staff = Staff()

    def add(unit: int, role: str) -> None:
        idx = len(staff.unit)
        staff.unit.append(unit)
        staff.role.append(role)
        staff.by_unit_role.setdefault((unit, role), idx)

    def team(unit: int, size: int) -> None:
        for k in range(size):
            role = "unit_leader" if k == 0 else "registrar" if k == 1 else "handler"
            if tree.level[unit - 1] == "grid":
                role = "grid_worker"
            add(unit, role)
            if k == 0 and tree.petition_office[unit - 1]:
                staff.extra.append((len(staff.unit) - 1, "supervisor"))

    for uid in range(1, len(tree) + 1):
        level = tree.level[uid - 1]
        if level == "department":
            parent_level = tree.level[tree.parent[uid - 1] - 1]  # type: ignore[index]
            if tree.petition_office[uid - 1]:
                size = {"province": 30, "city": 20}.get(parent_level, 15)
            elif tree.discipline[uid - 1]:
                size = 10 if parent_level != "county" else 8
            else:
                size = {"province": 10, "city": 8}.get(parent_level, 6)
        else:
            size = {"township": 12, "village": 3, "grid": 1}.get(level, 0)
        team(uid, size)
    i = 0
    while len(staff.unit) < STAFF:
        add(tree.townships[i % len(tree.townships)], "handler")
        i += 1
    for city, office in tree.city_office.items():
        staff.extra.append((staff.by_unit_role[(office, "unit_leader")], "assessment_officer"))
        del city
    return staff


def pools(tree: Tree) -> dict[str, np.ndarray]:
    """Arrays the petition generator samples from."""
    counties = np.array(tree.counties)
    targets = np.array([tree.county_targets[c] for c in counties])  # same width per county
    return {
        "counties": counties,
        "targets": targets,  # [county index, k]
        "townships": np.array(tree.townships),
        "communities": np.array(tree.communities),
        "county_office": np.array([tree.county_office[c] for c in counties]),
        "county_discipline": np.array([tree.county_discipline[c] for c in counties]),
        "city_office": np.array(list(tree.city_office.values())),
        "city_of_county": np.array(
            [list(tree.city_office).index(tree.city_of[c - 1]) for c in counties]
        ),
    }
