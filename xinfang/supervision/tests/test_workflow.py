"""Supervision records close by steps of the core engine, each on the matter's timeline."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.core import workflow as engine
from xinfang.supervision import services
from xinfang.supervision.models import SupervisionTransition
from xinfang.supervision.tests.conftest import Crew
from xinfang.supervision.tests.factories import matter

pytestmark = pytest.mark.django_db


def _reminder(crew: Crew):
    with time_machine.travel("2026-06-01 10:00 +0800", tick=False):
        return services.send_reminder(
            actor=crew.supervisor,
            petition=matter(crew.cast),
            supervising_unit=crew.cast.county,
            note="请报送进展",
            reply_due=date(2026, 6, 5),
        )


def test_replying_to_a_reminder_writes_the_supervision_timeline(crew: Crew) -> None:
    reminder = _reminder(crew)
    services.reply_reminder(
        reminder, actor=crew.handler_a, reply=" 已调查 ", today=date(2026, 6, 3)
    )
    row = SupervisionTransition.objects.get()
    assert (row.petition_id, row.record_type, row.record_id) == (
        reminder.petition_id,
        "reminder",
        reminder.pk,
    )
    assert (row.step, row.from_status, row.to_status, row.actor) == (
        "reply",
        "open",
        "replied",
        crew.handler_a,
    )
    assert reminder.reply == "已调查" and reminder.version == 1


def test_a_supervision_step_refuses_a_field_it_does_not_take(crew: Crew) -> None:
    reminder = _reminder(crew)
    with pytest.raises(engine.StepInputInvalid):
        engine.transition(
            reminder, "reply", actor=crew.handler_a, data={"reply": "x", "replied_by": 1}
        )
    assert not SupervisionTransition.objects.exists()
