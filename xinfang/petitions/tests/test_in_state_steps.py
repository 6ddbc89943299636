"""In-state actions (extension, hearing, receipt …) are self-loop steps of the engine."""

from __future__ import annotations

import pytest
import time_machine

from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.petitions.choices import Status
from xinfang.petitions.services import extend_handling
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import take_in_state_step, transition

pytestmark = pytest.mark.django_db


def test_an_extension_is_a_self_loop_step_on_the_timeline(people) -> None:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        p = make_petition(people.cast, actor=people.town_registrar)
        p = transition(p, Status.ACCEPTED, actor=people.handler_a)
        version = refresh(p).version
        extend_handling(p, actor=people.leader_a, days=20, reason="需要鉴定")
    p = refresh(p)
    row = p.transitions.order_by("-pk").first()
    assert (row.step, row.from_status, row.to_status, row.reason) == (
        "extend",
        Status.ACCEPTED,
        Status.ACCEPTED,
        "需要鉴定",
    )
    assert row.data == {"days": 20, "new_due": "2026-05-21"}
    assert p.version == version + 1 and p.status == Status.ACCEPTED


def test_an_in_state_step_is_refused_from_a_status_it_does_not_leave(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)  # registered, not accepted
    with pytest.raises(TransitionNotAllowed):
        take_in_state_step(p, "extend", actor=people.leader_a, extension_days=10)
    assert refresh(p).extension_days == 0


def test_a_stale_copy_loses_an_in_state_step(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    stale = refresh(p)
    transition(p, Status.IN_HANDLING, actor=people.handler_a)
    with pytest.raises(ConcurrentChange):
        take_in_state_step(stale, "extend", actor=people.leader_a, reason="鉴定", extension_days=5)
    assert refresh(p).extension_days == 0
