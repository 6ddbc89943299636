"""A year of matters across the cast's units, for the statistics tests.

unit_a (甲镇) and its village, unit_b (乙镇) and the department each handle matters of
2026: on time and late, rated, not accepted, overdue, handed down, supervised, repeated.
Every figure the pages and the report show has at least one matter behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from xinfang.org.choices import Role
from xinfang.org.models import User
from xinfang.petitions.models import MatterGroup, MatterType, Petition
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import Cast
from xinfang.statistics.tests.factories import matter
from xinfang.supervision import services as supervision


@dataclass
class Year:
    cast: Cast
    county_leader: User
    matters: list[Petition]


@pytest.fixture
def year(cast: Cast) -> Year:
    c = cast
    land = MatterType.objects.create(code="T01", name="城乡建设")
    roads = MatterType.objects.create(code="T0101", name="道路", parent=land)
    m: list[Petition] = []
    # unit_a: timely and on time, rated satisfied (June).
    m.append(
        matter(
            c,
            c.unit_a,
            date(2026, 6, 1),
            accepted=date(2026, 6, 5),
            answered=date(2026, 6, 20),
            rated=(date(2026, 6, 22), "satisfied"),
            matter_type=roads,
            place="甲镇东村",
        )
    )
    # unit_a: accepted late (notice due 05-16), answered late, rated dissatisfied.
    m.append(
        matter(
            c,
            c.unit_a,
            date(2026, 5, 1),
            accepted=date(2026, 6, 10),
            answered=date(2026, 8, 25),
            rated=(date(2026, 8, 26), "dissatisfied"),
            matter_type=land,
            channel="phone",
        )
    )
    # village_a: a suggestion answered "support", on time.
    m.append(
        matter(
            c,
            c.village_a,
            date(2026, 7, 2),
            accepted=date(2026, 7, 3),
            answered=date(2026, 7, 20),
            kind="suggestion",
        )
    )
    # unit_a: accepted in 2025 and never answered: due in 2026, late, a backlog case.
    m.append(matter(c, c.unit_a, date(2025, 12, 20), accepted=date(2025, 12, 22)))
    # unit_a: received in 2014 and never routed: backlog over ten years; resolved? no.
    m.append(matter(c, c.unit_a, date(2014, 3, 3)))
    # unit_b: not accepted (timely), and one on time.
    p = matter(c, c.unit_b, date(2026, 3, 2))
    leader_b = c.user_with(Role.UNIT_LEADER, c.unit_b, f"stats-leader-{c.unit_b.pk}")
    m.append(
        transition(p, "not_accepted", actor=leader_b, reason="诉讼途径", today=date(2026, 3, 4))
    )
    m.append(
        matter(
            c,
            c.unit_b,
            date(2026, 4, 1),
            accepted=date(2026, 4, 2),
            answered=date(2026, 4, 30),
            rated=(date(2026, 5, 3), "basically_satisfied"),
            channel="online",
        )
    )
    # The department: one matter, and a repeat of it that reached the city.
    first = matter(c, c.department, date(2026, 2, 2), accepted=date(2026, 2, 3))
    again = matter(c, c.department, date(2026, 2, 20))
    group = MatterGroup.objects.create()
    Petition.objects.filter(pk__in=[first.pk, again.pk]).update(group=group)
    Petition.objects.filter(pk=again.pk).update(level_reached="city")
    m += [first, again]
    # The county hands a matter down to unit_a (a hand-over) and supervises it.
    county_registrar = c.user_with(Role.REGISTRAR, c.county, "stats-county-registrar")
    handed = make_petition(c, unit=c.county, actor=county_registrar, received_on=date(2026, 8, 3))
    handed = transition(
        handed,
        "routed",
        actor=county_registrar,
        to_unit=c.unit_a,
        mode="assign",
        today=date(2026, 8, 3),
    )
    supervisor = c.user_with(Role.SUPERVISOR, c.county, "stats-county-supervisor")
    notice = supervision.issue_notice(
        actor=supervisor,
        petition=handed,
        supervising_unit=c.county,
        reasons="久拖未办",
        recommendation="建议限期办结",
        today=date(2026, 8, 10),
    )
    supervision.answer_notice(
        notice,
        actor=c.user_with(Role.UNIT_LEADER, c.unit_a, f"stats-leader-{c.unit_a.pk}"),
        adopted=True,
        answer="已采纳",
        today=date(2026, 8, 12),
    )
    supervision.send_reminder(
        actor=supervisor,
        petition=handed,
        supervising_unit=c.county,
        note="请加快",
        today=date(2026, 8, 11),
    )
    m.append(Petition.objects.get(pk=handed.pk))
    # An accusation against unit_b, handled by the department.
    m.append(
        matter(
            c,
            c.department,
            date(2026, 6, 9),
            kind="accusation",
            accused_unit=c.unit_b,
        )
    )
    return Year(c, c.user_with(Role.UNIT_LEADER, c.county, "stats-county-leader"), m)
