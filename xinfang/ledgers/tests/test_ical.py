"""The reception schedule feed: one event per slot whatever the host name; a moved slot is
an update of the same event (RFC 5545 UID, SEQUENCE, LAST-MODIFIED)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.ledgers.models import ReceptionSlot
from xinfang.ledgers.tests import factories as f

pytestmark = pytest.mark.django_db


def _props(body: bytes) -> dict[str, str]:
    text = body.decode("utf-8").replace("\r\n ", "")
    event = text.split("BEGIN:VEVENT", 1)[1].split("END:VEVENT", 1)[0]
    return dict(line.split(":", 1) for line in event.split("\r\n") if ":" in line)


def test_uid_does_not_depend_on_the_host_name(cast):
    slot = f.ReceptionSlotFactory(unit=cast.unit_a, published_at=timezone.now())
    url = reverse("ledgers:public_ics", args=[cast.unit_a.pk])
    one = _props(Client(HTTP_HOST="localhost").get(url).content)
    two = _props(Client(HTTP_HOST="127.0.0.1:8000").get(url).content)
    assert one["UID"] == two["UID"] == f"{slot.uid}@reception.xinfang"


def test_a_moved_slot_raises_sequence_and_last_modified(cast):
    slot = f.ReceptionSlotFactory(unit=cast.unit_a, published_at=timezone.now())
    ReceptionSlot.objects.filter(pk=slot.pk).update(updated_at=slot.published_at)
    url = reverse("ledgers:public_ics", args=[cast.unit_a.pk])
    before = _props(Client().get(url).content)
    assert before["SEQUENCE"] == "0"
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        slot.refresh_from_db()
        slot.starts_at, slot.ends_at = time(14, 30), time(17, 0)
        slot.save(update_fields=["starts_at", "ends_at", "updated_at"])
        after = _props(Client().get(url).content)
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["LAST-MODIFIED"] > before["LAST-MODIFIED"]
    assert after["DTSTART;TZID=Asia/Shanghai"].endswith("T143000")
