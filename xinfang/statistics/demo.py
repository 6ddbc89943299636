"""Demo data of the statistics: a county leader, matters spread over the past months,
and the aggregates counted, so the ranking, the trends and the annual report show figures.
"""

from __future__ import annotations

from django.utils import timezone

from xinfang.org import services as org_services
from xinfang.org.choices import Role
from xinfang.org.demo import DEMO_PASSWORD, DemoCounty
from xinfang.statistics.aggregates import refresh_months
from xinfang.statistics.periods import months_between, previous_month


def add_demo_statistics(demo: DemoCounty) -> None:
    """A county leader (县委副书记, unit leader over the county) and the last 13 months
    counted."""
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
    for _ in range(12):
        first = previous_month(first)
    refresh_months(months_between(first, today), today=today)
