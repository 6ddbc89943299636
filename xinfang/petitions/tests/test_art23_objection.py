"""条例 Art. 23: an objection (not competent) goes back to the sending office, which agrees
and re-routes, or rejects it with reasons — a step with its own clock."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.core.errors import TransitionNotAllowed
from xinfang.petitions.choices import Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import RouteHandover
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import apply_dues, transition


def _objected(people):
    p = make_petition(people.cast, unit=people.cast.county, actor=people.registrar)
    p = transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a)
    return transition(p, Status.OBJECTED, actor=people.handler_a, reason="不属本镇职权")


def test_the_objection_decision_runs_on_its_own_clock(people) -> None:
    p = _objected(people)
    assert p.objected_on == date(2026, 9, 1)
    # Five working days from Tue 1 Sep: 2, 3, 4, 7, 8 September.
    assert p.objection_decision_due == date(2026, 9, 8)
    assert p.next_due_step == "objection_decision" and p.next_due == date(2026, 9, 8)


def test_an_undecided_objection_becomes_overdue(people) -> None:
    p = _objected(people)
    with time_machine.travel("2026-09-09 10:00 +0800", tick=False):
        assert apply_dues(refresh(p))["is_overdue"]


def test_the_office_agrees_by_re_routing_to_the_competent_body(people) -> None:
    p = _objected(people)
    p = transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_b)
    assert p.responsible_unit == people.cast.unit_b
    first = RouteHandover.objects.filter(petition=p).order_by("pk").first()
    assert first is not None
    assert first.objection_decision == "agreed" and first.objection_decided_on == date(2026, 9, 1)
    assert p.objection_decision_due is None


def test_re_routing_to_the_objecting_body_is_not_a_silent_hand_back(people) -> None:
    p = _objected(people)
    with pytest.raises(GuardFailed, match="驳回异议"):
        transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a)


def test_the_office_rejects_the_objection_with_reasons(people) -> None:
    p = _objected(people)
    with pytest.raises(TransitionNotAllowed, match="理由"):
        transition(p, Status.ROUTED, actor=people.registrar, step="reject_objection")
    p = transition(
        p,
        Status.ROUTED,
        actor=people.registrar,
        step="reject_objection",
        reason="道路积水属镇政府职责（《信访工作条例》第二十三条）",
    )
    assert p.status == Status.ROUTED and p.responsible_unit == people.cast.unit_a
    handover = RouteHandover.objects.get(petition=p)
    assert handover.objection_decision == "rejected"
    assert handover.objection_decision_reason.startswith("道路积水")


def test_a_rejected_objection_cannot_be_raised_again_within_the_objection_period(people) -> None:
    p = _objected(people)
    p = transition(
        p, Status.ROUTED, actor=people.registrar, step="reject_objection", reason="属镇政府职责"
    )
    # Still inside the five working days of the hand-over, yet the objection was decided.
    assert p.objection_due is not None and p.objection_due >= date(2026, 9, 1)
    with pytest.raises(GuardFailed, match="已被驳回"):
        transition(p, Status.OBJECTED, actor=people.handler_a, reason="仍不属本镇职权")
    assert refresh(p).responsible_unit == people.cast.unit_a


def test_a_new_hand_over_may_be_objected_to_afresh(people) -> None:
    p = _objected(people)
    p = transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_b)
    p = transition(p, Status.OBJECTED, actor=people.handler_b, reason="不属本单位职权")
    assert p.status == Status.OBJECTED and p.responsible_unit == people.cast.county


def test_the_objecting_body_cannot_decide_its_own_objection(people) -> None:
    p = _objected(people)
    with pytest.raises(TransitionNotAllowed):
        transition(
            p, Status.ROUTED, actor=people.handler_a, step="reject_objection", reason="不同意"
        )


def test_the_api_names_the_rejection_step_where_two_steps_share_the_target(people) -> None:
    from django.test import Client

    from xinfang.org.tokens import issue_token

    p = _objected(people)
    token = issue_token(actor=people.registrar, user=people.registrar, name="test")
    response = Client().post(
        f"/api/petitions/{p.pk}/transitions",
        {"to": "routed", "step": "reject_objection", "reason": "属镇政府职责"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.ROUTED
    assert RouteHandover.objects.get(petition=p).objection_decision == "rejected"
