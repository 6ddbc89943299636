"""A deterministic demo county: units, staff for every role, and citizens.

Other apps add their demo records through :data:`DEMO_HOOKS` (called after the county is
built, each with the :class:`DemoCounty`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from xinfang.org import services
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit, User

DEMO_PASSWORD = "Xinfang@2026"  # noqa: S105 - printed on purpose for the demo
CITIZEN_PHONE = "13800000001"


@dataclass
class DemoCounty:
    province: Unit
    city: Unit
    county: Unit
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, login, unit


DEMO_HOOKS: list[Callable[[DemoCounty], None]] = []


def county_leader(demo: DemoCounty) -> User:
    """The county's own leader (县长, one of ``STAFF``), for every app whose demo needs one."""
    return demo.users["county_leader"]


TOWNSHIPS = {
    "城关镇": ("330101001", ["东街社区", "西街社区", "南门村"]),
    "东河乡": ("330101002", ["东河村", "柳树村"]),
    "西山街道": ("330101003", ["西山社区", "新城社区"]),
}
DEPARTMENTS = [
    ("县信访局", "petition", {"is_petition_office": True}),
    ("县纪委监委", "discipline", {"is_discipline_body": True}),
    # 政法机关: the proposed target of a litigation-related matter (petitions/routing.py).
    ("县委政法委", "legal_affairs", {"is_legal_affairs_body": True}),
    ("县人民法院", "court", {"is_legal_affairs_body": True}),
    ("县人民检察院", "procuratorate", {"is_legal_affairs_body": True}),
    ("县自然资源局", "land", {}),
    ("县人力资源和社会保障局", "labour", {}),
    ("县住房和城乡建设局", "housing", {}),
    ("县教育局", "education", {}),
    ("县公安局", "police", {}),
    ("县人民医院", "hospital", {}),
]

# role, login, unit key, display name, title
STAFF = [
    # The platform administrator holds the role on the root of the tree: only a top-level
    # administrator may edit the holiday calendar, which every unit's deadlines use.
    (Role.ADMINISTRATOR, "admin", "province", "周管理", "系统管理员"),
    (Role.REGISTRAR, "registrar", "petition", "李登记", "接访科科员"),
    (Role.HANDLER, "handler", "land", "王承办", "信访科科员"),
    (Role.UNIT_LEADER, "leader", "land", "赵立新", "局长"),
    (Role.HANDLER, "handler_town", "城关镇", "钱办事", "综治信访办干事"),
    (Role.UNIT_LEADER, "leader_town", "城关镇", "孙海涛", "镇长"),
    (Role.SUPERVISOR, "supervisor", "petition", "吴督查", "督查科科长"),
    (Role.RECEIVING_LEADER, "reception", "county", "郑国强", "副县长"),
    (Role.DUTY_OFFICER, "duty", "城关镇", "冯值班", "值班员"),
    (Role.GRID_WORKER, "grid_worker", "东街社区", "陈网格", "网格员"),
    (Role.GRID_HEAD, "grid_head", "东街社区", "褚建华", "格长"),
    (Role.GRID_SUPERVISOR, "grid_supervisor", "城关镇", "卫督导", "督导员"),
    (Role.ASSESSMENT_OFFICER, "assessor", "county", "蒋考评", "考评办主任"),
    (Role.HANDLER, "discipline", "discipline", "沈纪检", "纪检监察员"),
    # The bodies above that review (复查) and re-review (复核) the county's matters.
    (Role.UNIT_LEADER, "county_leader", "county", "钱明远", "县长"),
    (Role.UNIT_LEADER, "city_leader", "city", "韩志诚", "副市长"),
]


@transaction.atomic
def build_demo_county() -> DemoCounty:
    """Create the demo county from nothing (call on an empty database)."""
    actor = None
    mk = services.create_unit
    province = mk(actor=actor, name="示范省", level=UnitLevel.PROVINCE, admin_code="330000")
    city = mk(
        actor=actor,
        name="示范市",
        level=UnitLevel.CITY,
        parent=province,
        admin_code="330100",
        is_petition_office=False,
    )
    county = mk(
        actor=actor,
        name="平安县",
        level=UnitLevel.COUNTY,
        parent=city,
        admin_code="330101",
        address="平安县人民路1号",
        contact_phone="0571-12345678",
    )
    demo = DemoCounty(province=province, city=city, county=county)
    demo.units["province"], demo.units["city"], demo.units["county"] = province, city, county
    mk(
        actor=actor,
        name="示范市信访局",
        level=UnitLevel.DEPARTMENT,
        parent=city,
        is_petition_office=True,
    )
    mk(
        actor=actor,
        name="示范省信访局",
        level=UnitLevel.DEPARTMENT,
        parent=province,
        is_petition_office=True,
    )
    for name, (code, villages) in TOWNSHIPS.items():
        town = mk(
            actor=actor,
            name=name,
            level=UnitLevel.TOWNSHIP,
            parent=county,
            admin_code=code,
            category="A",
        )
        demo.units[name] = town
        mk(actor=actor, name=f"{name}综治信访办", level=UnitLevel.SUBUNIT, parent=town)
        for i, village in enumerate(villages, start=1):
            v = mk(
                actor=actor,
                name=village,
                level=UnitLevel.VILLAGE,
                parent=town,
                admin_code=f"{code}{i:03d}",
                category="B",
            )
            demo.units[village] = v
            for g in (1, 2):
                mk(actor=actor, name=f"{village}第{g}网格", level=UnitLevel.GRID, parent=v)
    for name, key, flags in DEPARTMENTS:
        demo.units[key] = mk(
            actor=actor, name=name, level=UnitLevel.DEPARTMENT, parent=county, category="C", **flags
        )

    for i, (role, login, unit_key, full_name, title) in enumerate(STAFF, start=1):
        unit = demo.units[unit_key]
        user = services.create_staff(
            actor=actor,
            username=login,
            password=DEMO_PASSWORD,
            full_name=full_name,
            unit=unit,
            title=title,
            phone=f"139{i:08d}",
            is_staff=(role == Role.ADMINISTRATOR),
        )
        services.grant_role(actor=actor, user=user, role=role, unit=unit)
        demo.users[login] = user
        demo.logins.append((str(Role(role).label), login, unit.name))
    citizen = services.create_citizen(
        actor=actor, phone=CITIZEN_PHONE, password=DEMO_PASSWORD, full_name="张群众"
    )
    demo.users["citizen"] = citizen
    demo.logins.append(("群众", CITIZEN_PHONE, "—"))
    for hook in DEMO_HOOKS:
        hook(demo)
    return demo
