"""Demo trips: a plan, a request back home with its report overdue, and a draft that breaks
two rules (the approving county leader sees both and may record an exception)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xinfang.org import services as org_services
from xinfang.org.choices import Role
from xinfang.trips import services
from xinfang.trips.choices import Rank, TripType
from xinfang.trips.services import MemberInput, TripInput
from xinfang.trips.workflow import transition

APPROVER = ("leader_county", "钱县长", "县长")


def add_demo_trips(demo: Any) -> None:
    from xinfang.org.demo import DEMO_PASSWORD

    today = timezone.localdate()
    county, land = demo.county, demo.units["land"]
    login, name, title = APPROVER
    # The county's leader may already be in the demo (the statistics add the same account).
    approver = demo.users.get(login)
    if approver is None:
        approver = org_services.create_staff(
            actor=None,
            username=login,
            password=DEMO_PASSWORD,
            full_name=name,
            unit=county,
            title=title,
            phone="13900009901",
        )
        org_services.grant_role(actor=None, user=approver, role=Role.UNIT_LEADER, unit=county)
        demo.users[login] = approver
        demo.logins.append((str(Role.UNIT_LEADER.label), login, county.name))
    handler = demo.users["handler"]
    start = today - timedelta(days=70)
    plan = services.file_plan(
        actor=handler,
        unit=land,
        year=today.year,
        items=[
            {"purpose": "考察土地整治与耕地保护", "countries": "荷兰、德国", "head_count": 4},
            {"purpose": "自然资源管理培训", "countries": "新加坡", "head_count": 3},
        ],
        today=start,
    )
    items = list(plan.items.order_by("pk"))
    back = services.create_trip(
        actor=handler,
        unit=land,
        data=TripInput(
            title="县自然资源局赴荷兰、德国考察团",
            purpose="考察土地整治、耕地保护与不动产登记经验。",
            trip_type=TripType.VISIT,
            countries=("荷兰", "德国"),
            depart_on=today - timedelta(days=40),
            return_on=today - timedelta(days=32),
            visa_apply_on=today - timedelta(days=45),
            plan_item=items[0],
        ),
        members=[
            MemberInput("刘建国", Rank.SECTION, land, "副局长"),
            MemberInput("陈晓", Rank.STAFF, land, "耕保股股长"),
            MemberInput("黄磊", Rank.STAFF, land, "登记中心科员"),
        ],
    )
    transition(back, "submit", actor=handler, today=start)
    transition(back, "approve", actor=approver, today=start + timedelta(days=5))
    transition(back, "record_return", actor=handler, data={"returned_on": back.return_on})
    transition(
        back,
        "hand_back_passport",
        actor=handler,
        data={"returned_on": back.return_on + timedelta(days=3)},
    )
    # A draft breaking two rules: three countries, filed too late before the visas.
    services.create_trip(
        actor=handler,
        unit=land,
        data=TripInput(
            title="县自然资源局赴新加坡、马来西亚、泰国培训团",
            purpose="自然资源管理与数字化培训。",
            trip_type=TripType.TRAINING,
            countries=("新加坡", "马来西亚", "泰国"),
            depart_on=today + timedelta(days=30),
            return_on=today + timedelta(days=60),
            visa_apply_on=today + timedelta(days=10),
            plan_item=items[1],
        ),
        members=[
            MemberInput("周明", Rank.SECTION, land, "副局长"),
            MemberInput("吴芳", Rank.STAFF, land, "规划股科员"),
        ],
    )
