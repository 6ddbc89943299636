"""条例 Art. 34: the 60-day handling clock applies to a matter handled under Art. 31 (六);
one handled by another procedure follows that procedure. An extension after the period
ran out needs a recorded late-extension reason and stays flagged."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.petitions.choices import HandlingProcedure, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import Extension, Transition
from xinfang.petitions.services import extend_handling
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import transition


def _accepted(people, **accept):
    p = make_petition(people.cast, actor=people.town_registrar)
    return transition(p, Status.ACCEPTED, actor=people.handler_a, **accept)


def test_the_60_day_clock_runs_for_a_matter_handled_under_art_31_item_6(people) -> None:
    p = _accepted(people)
    assert p.handling_procedure == HandlingProcedure.PETITION
    assert p.handle_due == date(2026, 11, 2)  # 60 days → Sat 31 Oct → Mon 2 Nov
    assert p.next_due_step == "handle" and p.next_due == p.handle_due


def test_a_matter_handled_by_its_own_procedure_has_no_60_day_due(people) -> None:
    p = _accepted(people, procedure=HandlingProcedure.OWN)
    assert p.handling_procedure == HandlingProcedure.OWN
    assert p.handle_due is None and p.next_due is None and not p.is_overdue


def test_a_matter_handled_by_its_own_procedure_takes_no_art_34_extension(people) -> None:
    p = _accepted(people, procedure=HandlingProcedure.OWN)
    with pytest.raises(GuardFailed, match="第三十四条"):
        extend_handling(p, actor=people.leader_a, days=10, reason="情况复杂")


def test_an_extension_after_the_period_ran_out_needs_a_late_reason(people) -> None:
    p = _accepted(people)
    with time_machine.travel("2026-11-03 10:00 +0800", tick=False):
        with pytest.raises(GuardFailed, match="逾期延期的理由"):
            extend_handling(refresh(p), actor=people.leader_a, days=10, reason="情况复杂")
        assert not Extension.objects.filter(petition=p).exists()


def test_a_late_extension_is_recorded_with_its_reason_and_flagged(people) -> None:
    p = _accepted(people)
    with time_machine.travel("2026-11-03 10:00 +0800", tick=False):
        extension = extend_handling(
            refresh(p),
            actor=people.leader_a,
            days=10,
            reason="情况复杂",
            late_reason="鉴定结论延迟送达，期限届满前未能报批",
        )
    assert extension.is_late and extension.late_reason.startswith("鉴定结论")
    row = Transition.objects.get(petition=p, step="extend")
    assert row.data["late_reason"] == extension.late_reason


def test_an_extension_within_the_period_is_not_flagged(people) -> None:
    p = _accepted(people)
    extension = extend_handling(
        p, actor=people.leader_a, days=10, reason="情况复杂", late_reason="不需要"
    )
    assert not extension.is_late and extension.late_reason == ""
