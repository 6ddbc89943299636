"""The portal tells where a matter is (the review body during review) and what each petition
office publishes (条例 Art. 18)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.ledgers.tests.factories import ReceptionSlotFactory
from xinfang.petitions.choices import Status
from xinfang.petitions.tests.factories import petitioner_proof
from xinfang.petitions.workflow import transition
from xinfang.portal.models import OfficeProfile
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import ANSWER, answer, lookup, registered
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def _current_body(client: Client) -> str:
    html = client.get(reverse("portal:matter")).content.decode()
    match = re.search(r'data-testid="current-body">([^<]+)<', html)
    assert match, html[:500]
    return match.group(1)


def test_current_body_follows_the_matter_to_the_review_body(cast: Cast, portal: Portal) -> None:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        petition, code = registered(cast.village_a)
        handler = cast.user_with("handler", cast.village_a, "village-handler")
        leader = cast.user_with("unit_leader", cast.village_a, "village-leader")
        petition = answer(petition, handler, leader)
        client = Client()
        assert lookup(client, code).status_code == 302
        assert _current_body(client) == "甲村"
        petition = transition(
            petition,
            Status.REVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner_proof(petition),
            reason="不服",
        )
        assert _current_body(client) == "甲镇"  # the review body (条例 Art. 35)
        petition = transition(petition, Status.REVIEWED, actor=portal.leader_a, **ANSWER)
        assert _current_body(client) == "甲镇"


def test_home_publishes_each_office_address_phone_reception_and_schedules(
    cast: Cast, portal: Portal
) -> None:
    ReceptionSlotFactory(unit=cast.unit_a)
    profile = OfficeProfile.objects.create(
        unit=portal.office,
        address="测试县人民路1号",
        complaint_phone="0571-12345678",
        reception_hours="工作日上午8:30—12:00",
        reception_places="县人民来访接待中心一楼",
    )
    profile.schedule_units.set([cast.unit_a, cast.unit_b])
    html = Client().get(reverse("portal:home")).content.decode()
    for needle in ("测试县信访局", "测试县人民路1号", "0571-12345678", "工作日上午8:30—12:00"):
        assert needle in html
    for unit in (cast.unit_a, cast.unit_b):
        link = reverse("ledgers:public_schedule", args=[unit.pk])
        assert link in html
        # Every linked schedule opens, also one with nothing published yet.
        assert Client().get(link).status_code == 200
