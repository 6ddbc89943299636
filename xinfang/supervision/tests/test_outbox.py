"""Supervision reaches the responsible unit's inbox (core outbox), never the accused."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.core.models import Message
from xinfang.org.choices import Role
from xinfang.org.inbox import inbox_messages
from xinfang.petitions.workflow import transition
from xinfang.supervision import services
from xinfang.supervision.tests.conftest import Crew
from xinfang.supervision.tests.factories import matter

pytestmark = pytest.mark.django_db

SUMMARY = "CANARY-SUPERVISION-SUMMARY"


def _supervise_everything(crew: Crew, p) -> None:
    cast = crew.cast
    services.send_reminder(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        note="请报送进展",
        reply_due=date(2026, 6, 5),
    )
    services.issue_notice(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        reasons="进度缓慢",
        recommendation="建议实地核查",
    )
    services.record_instruction(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        leader_name="县长",
        text="请妥善处理",
        due=date(2026, 6, 10),
    )


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_every_supervision_item_reaches_the_responsible_units_inbox(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast, summary=SUMMARY)
    _supervise_everything(crew, p)
    services.list_supervision(
        actor=crew.supervisor,
        petition=p,
        lead_leader=crew.county_leader,
        responsible_unit=cast.unit_a,
        responsible_person=crew.handler_a,
        supervising_unit=cast.county,
        supervisor=crew.supervisor,
        deadline=date(2026, 7, 31),
        reason="涉及人数多",
    )
    mine = inbox_messages(crew.handler_a)
    assert sorted(m.kind for m in mine) == [
        "instruction",
        "listed_supervision",
        "supervision_notice",
        "supervision_reminder",
    ]
    assert all(m.recipient_unit_id == cast.unit_a.pk and p.number in m.text for m in mine)
    assert not inbox_messages(crew.handler_b).exists()
    client = Client()
    client.force_login(crew.handler_a)
    page = client.get(reverse("org:inbox")).content.decode()
    assert "4 条未读" in page and "督办通知" in page and "2026-06-05" in page
    assert SUMMARY not in page  # the matter is named by number only
    filtered = client.get(reverse("org:inbox") + "?kind=instruction").content.decode()
    assert "批示" in filtered and "催办，" not in filtered


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_supervision_of_an_accusation_never_reaches_the_accused(crew: Crew) -> None:
    cast = crew.cast
    # Works in another unit, with a grant above the discipline body (sees its subtree): the
    # county may supervise, since the person is not on its staff (Art. 30 refuses that).
    accused_person = cast.user_with(Role.RECEIVING_LEADER, cast.county, "accused-leader")
    accused_person.unit = cast.unit_b
    accused_person.save(update_fields=["unit"])
    p = matter(
        cast,
        unit=cast.county,
        kind="accusation",
        accused_unit=cast.unit_a,
        accused_user=accused_person,
        summary=SUMMARY,
    )
    p = transition(
        p, "routed", actor=cast.user_with(Role.REGISTRAR, cast.county), to_unit=crew.discipline
    )
    _supervise_everything(crew, p)
    sent = Message.objects.filter(source__startswith="supervision.")
    assert sent.count() == 3
    assert set(sent.values_list("recipient_unit", flat=True)) == {crew.discipline.pk}
    assert set(sent.values_list("accused_unit", flat=True)) == {cast.unit_a.pk}
    # The accused unit's staff, and the accused person (whose grants cover the discipline
    # body's unit), see none; an uninvolved county colleague does, on request.
    for user in (crew.handler_a, crew.leader_a, accused_person):
        assert not inbox_messages(user, include_subunits=True).exists()
    assert inbox_messages(crew.discipline_handler).count() == 3
    assert inbox_messages(crew.supervisor, include_subunits=True).count() == 3
