"""Demo records of the portal (registered in ``org.demo.DEMO_HOOKS``): the county petition
office's public information (条例 Art. 18), and for the demo citizen 张群众 a verified
phone with an answered matter whose personal data staff read once, so "我的信访" shows
every part."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xinfang.org.demo import CITIZEN_PHONE, DemoCounty
from xinfang.petitions.choices import Channel, Kind, Outcome, RouteMode, Status
from xinfang.petitions.models import MatterType
from xinfang.petitions.services import PetitionerData, register_petition, reveal_petitioner
from xinfang.petitions.workflow import transition
from xinfang.portal.models import OfficeProfile, PhoneVerification

__all__ = ["DEMO_CITIZEN_SUMMARY", "add_demo_portal"]

DEMO_CITIZEN_SUMMARY = "反映城关镇西街路灯损坏多日无人维修"


def add_demo_portal(demo: DemoCounty) -> None:
    u, users = demo.units, demo.users
    office = OfficeProfile.objects.create(
        unit=u["petition"],
        address="示范县人民路1号县人民来访接待中心",
        complaint_phone="0571-88880000",
        reception_hours="工作日上午8:30—12:00，下午2:30—5:30（节假日除外）",
        reception_places="县人民来访接待中心一楼接待大厅；各乡镇综治信访办",
    )
    office.schedule_units.set(
        [u["county"], *(unit for key, unit in u.items() if key.endswith("镇"))]
    )
    citizen = users["citizen"]
    PhoneVerification.objects.create(
        user=citizen, phone_digest=citizen.phone_digest, verified_at=timezone.now()
    )
    today = timezone.localdate()
    p = register_petition(
        actor=users["registrar"],
        registering_unit=u["petition"],
        channel=Channel.LETTER,
        kind=Kind.APPEAL,
        summary=DEMO_CITIZEN_SUMMARY,
        received_on=today - timedelta(days=25),
        matter_type=MatterType.objects.filter(code="0205").first(),
        petitioners=[PetitionerData(name="张群众", phone=CITIZEN_PHONE, address="城关镇西街3号")],
        propose_matches=False,
    ).petition
    p = transition(
        p, Status.ROUTED, actor=users["registrar"], to_unit=u["land"], mode=RouteMode.FORWARD
    )
    p = transition(p, Status.ACCEPTED, actor=users["handler"], notice="已受理，将依法办理")
    reveal_petitioner(p.petitioners.get(), actor=users["handler"], reason="电话核实情况")
    transition(
        p,
        Status.ANSWERED,
        actor=users["leader"],
        outcome=Outcome.SUPPORT,
        request="请求尽快修复路灯",
        facts="经现场核查，西街3盏路灯损坏属实，已安排维修。",
        reasons="道路照明设施维护属于职责范围。",
        legal_basis="《信访工作条例》第三十二条",
    )
