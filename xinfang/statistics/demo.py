"""Demo data of the statistics: a county leader, half a year of matters handled by the
three townships (some late, some rated unsatisfied), and the aggregates counted, so the
ranking, the trends, the recurring problems and the annual report show figures.

The matters go through the workflow with the dates they would have had (``today=``), so
every figure is what the platform's own clock says.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from xinfang.org import services as org_services
from xinfang.org.choices import Role
from xinfang.org.demo import DEMO_PASSWORD, TOWNSHIPS, DemoCounty
from xinfang.org.models import User
from xinfang.petitions.choices import Channel, Rating, Status
from xinfang.petitions.demo import ANSWER, DEMO_PHONE
from xinfang.petitions.models import MatterType
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.petitions.workflow import prove_by_query_code, transition
from xinfang.statistics.jobs import recount_recent_months
from xinfang.statistics.periods import previous_month

MONTHS = 6
PER_MONTH = 6
TYPES = ("0201", "0203", "0205", "0301")
PROBLEMS = ("征地补偿", "物业收费", "道路积水", "工资拖欠")
RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.SATISFIED, Rating.DISSATISFIED)


def _town_leader(demo: DemoCounty, name: str, index: int) -> User:
    """The leader who accepts and answers for a township (城关镇 has one already)."""
    if name == "城关镇":
        return demo.users["leader_town"]
    user = org_services.create_staff(
        actor=None,
        username=f"leader_town{index}",
        password=DEMO_PASSWORD,
        full_name=f"{name}负责人",
        unit=demo.units[name],
        title="乡镇长",
        phone=f"1390000008{index}",
    )
    org_services.grant_role(actor=None, user=user, role=Role.UNIT_LEADER, unit=demo.units[name])
    return user


def _matter(demo: DemoCounty, town: str, leader: User, received: date, n: int, today: date) -> None:
    registrar = demo.users["registrar"]
    villages = TOWNSHIPS[town][1]
    registration = register_petition(
        actor=registrar,
        registering_unit=demo.units["petition"],
        channel=(Channel.LETTER, Channel.PHONE, Channel.ONLINE, Channel.VISIT)[n % 4],
        kind="appeal",
        summary=f"反映{villages[n % len(villages)]}{PROBLEMS[n % 4]}问题",
        received_on=received,
        matter_type=MatterType.objects.filter(code=TYPES[n % 4]).first(),
        place=f"{town}{villages[n % len(villages)]}",
        petitioners=[PetitionerData(name=f"群众{n:03d}", phone=DEMO_PHONE)],
        propose_matches=False,
    )
    p = registration.petition
    # The townships differ on purpose: each is late on a different share of its matters.
    late = (n + len(town)) % (3 + list(TOWNSHIPS).index(town)) == 0
    steps = [
        (Status.ROUTED, received, {"to_unit": demo.units[town]}, registrar),
        (Status.ACCEPTED, received + timedelta(days=18 if late else 4), {}, leader),
        (Status.ANSWERED, received + timedelta(days=85 if late else 30), ANSWER, leader),
    ]
    for status, day, data, actor in steps:
        if day > today:
            return
        p = transition(p, status, actor=actor, today=day, **data)
    rated = received + timedelta(days=(85 if late else 30) + 5)
    if rated <= today:
        proof = prove_by_query_code(registration.query_code, DEMO_PHONE)
        if proof is None:
            raise RuntimeError("the demo's own query code failed")
        rating = RATINGS[(n + list(TOWNSHIPS).index(town)) % 4] if not late else Rating.DISSATISFIED
        transition(p, Status.EVALUATED, actor=None, petitioner=proof, today=rated, rating=rating)


def add_demo_statistics(demo: DemoCounty) -> None:
    """The county leader, the townships' matters of the last months, the aggregates."""
    # The county's leader may already be in the demo (the trips add the same account).
    leader = demo.users.get("leader_county")
    if leader is None:
        leader = org_services.create_staff(
            actor=None,
            username="leader_county",
            password=DEMO_PASSWORD,
            full_name="何书记",
            unit=demo.county,
            title="县委副书记",
            phone="13900000099",
        )
        org_services.grant_role(actor=None, user=leader, role=Role.UNIT_LEADER, unit=demo.county)
        demo.users["leader_county"] = leader
        demo.logins.append((str(Role(Role.UNIT_LEADER).label), "leader_county", demo.county.name))
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(MONTHS):
        first = previous_month(first)
    n = 0
    for index, town in enumerate(TOWNSHIPS, start=1):
        town_leader = _town_leader(demo, town, index)
        month = first
        while month < today.replace(day=1):
            for i in range(PER_MONTH):
                _matter(demo, town, town_leader, month + timedelta(days=4 * i), n, today)
                n += 1
            month = (month + timedelta(days=32)).replace(day=1)
    recount_recent_months(MONTHS + 7, today=today)
