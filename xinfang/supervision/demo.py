"""Demo supervision records for ``xinfang load_demo`` (an ``org.demo.DEMO_HOOKS`` entry).

Runs after the petitions hook and works on the matters it created: a notice, a listing with
the six fields, a leader's ownership, an instruction and a reminder on the land bureau's
matters. With no demo matters it creates nothing and prints nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xinfang.org.demo import DemoCounty
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.models import Petition
from xinfang.supervision import services


def add_demo_supervision(demo: DemoCounty) -> None:
    users, units = demo.users, demo.units
    if "land" not in units or not {"supervisor", "reception", "handler"} <= set(users):
        return
    land = units["land"]
    matters = list(
        Petition.objects.filter(
            responsible_unit=land,
            status__in=[Status.ROUTED, Status.ACCEPTED, Status.IN_HANDLING],
        )
        .exclude(kind=Kind.ACCUSATION)
        .order_by("pk")
    )
    if not matters:
        return
    today = timezone.localdate()
    supervisor, reception = users["supervisor"], users["reception"]
    office = units.get("petition", land)
    first = matters[0]
    services.send_reminder(
        actor=supervisor,
        petition=first,
        supervising_unit=office,
        note="请抓紧办理，并于5日内报送办理进展。",
        reply_due=today + timedelta(days=5),
    )
    services.issue_notice(
        actor=supervisor,
        petition=first,
        supervising_unit=office,
        reasons="该事项群众反映强烈，办理进度缓慢。",
        recommendation="建议由分管领导牵头，会同相关部门实地核查，依法依规妥善处理。",
    )
    last = matters[-1]
    services.list_supervision(
        actor=supervisor,
        petition=last,
        lead_leader=reception,
        responsible_unit=land,
        responsible_person=users["handler"],
        supervising_unit=office,
        supervisor=supervisor,
        deadline=today + timedelta(days=30),
        reason="征地补偿问题涉及人数多，列为县级挂牌督办事项。",
    )
    services.assign_case_owner(
        actor=supervisor, petition=last, leader=reception, note="亲自包案化解"
    )
    services.record_instruction(
        actor=supervisor,
        petition=last,
        supervising_unit=office,
        leader_name="郑国强副县长",
        text="请县自然资源局依法依规妥善处理，及时答复群众。",
        due=today + timedelta(days=20),
        leader=reception,
    )
