"""A paper backlog entered as it happened (issue 15, "real dates"): every step may carry its
real date with a reason; it is audited, never in the future, never before the previous
step, and the due dates run from it (条例 Arts. 22, 23, 32, 34)."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.core.models import AuditEntry
from xinfang.petitions.choices import Outcome, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import Answer, Extension, RouteHandover, Transition
from xinfang.petitions.services import extend_handling
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import transition

BACKLOG = "纸质积案补录，按原始登记簿日期录入"
ANSWER = {
    "outcome": Outcome.SUPPORT,
    "facts": "经查属实",
    "reasons": "属本镇职责",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _received_in_june(people):
    return make_petition(
        people.cast, unit=people.cast.county, actor=people.registrar, received_on=date(2026, 6, 1)
    )


def test_route_accept_and_answer_take_their_real_dates_and_the_dues_follow(people) -> None:
    p = _received_in_june(people)
    p = transition(
        p,
        Status.ROUTED,
        actor=people.registrar,
        to_unit=people.cast.unit_a,
        occurred_on=date(2026, 6, 3),
        occurred_reason=BACKLOG,
    )
    assert p.routed_on == date(2026, 6, 3)
    assert RouteHandover.objects.get(petition=p).routed_on == date(2026, 6, 3)
    assert p.notice_due == date(2026, 6, 18)  # Art. 23: 15 days from the real hand-over
    p = transition(
        p,
        Status.ACCEPTED,
        actor=people.handler_a,
        occurred_on=date(2026, 6, 10),
        occurred_reason=BACKLOG,
    )
    assert p.accepted_on == date(2026, 6, 10)
    assert p.handle_due == date(2026, 8, 10)  # Art. 34: 60 days → Sun 9 Aug → Mon 10 Aug
    assert p.is_overdue  # judged against today, 1 September
    p = transition(
        p,
        Status.ANSWERED,
        actor=people.leader_a,
        occurred_on=date(2026, 8, 5),
        occurred_reason=BACKLOG,
        **ANSWER,
    )
    assert Answer.objects.get(petition=p).answered_on == date(2026, 8, 5)
    assert p.review_request_due == date(2026, 9, 4)  # Art. 35: 30 days from the real answer
    assert not p.is_overdue


def test_a_real_date_is_on_the_timeline_and_in_the_audit_entry(people) -> None:
    p = _received_in_june(people)
    transition(
        p,
        Status.ROUTED,
        actor=people.registrar,
        to_unit=people.cast.unit_a,
        occurred_on=date(2026, 6, 3),
        occurred_reason=BACKLOG,
    )
    row = Transition.objects.get(petition=p, step="route")
    assert row.data["occurred_on"] == "2026-06-03"
    assert row.data["occurred_reason"] == BACKLOG
    entry = AuditEntry.objects.filter(detail__step="route").latest("pk")
    assert entry.detail["occurred_on"] == "2026-06-03"
    assert entry.detail["occurred_reason"] == BACKLOG


def test_a_real_date_needs_a_reason(people) -> None:
    p = _received_in_june(people)
    with pytest.raises(GuardFailed, match="理由"):
        transition(
            p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a,
            occurred_on=date(2026, 6, 3),
        )  # fmt: skip


def test_a_real_date_is_never_in_the_future(people) -> None:
    p = _received_in_june(people)
    with pytest.raises(GuardFailed, match="不能晚于今天"):
        transition(
            p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a,
            occurred_on=date(2026, 9, 2), occurred_reason=BACKLOG,
        )  # fmt: skip


def test_a_real_date_is_never_before_the_receipt(people) -> None:
    p = _received_in_june(people)
    with pytest.raises(GuardFailed, match="上一环节"):
        transition(
            p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a,
            occurred_on=date(2026, 5, 31), occurred_reason=BACKLOG,
        )  # fmt: skip


def test_a_real_date_is_never_before_the_previous_step(people) -> None:
    p = _received_in_june(people)
    p = transition(
        p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a,
        occurred_on=date(2026, 6, 5), occurred_reason=BACKLOG,
    )  # fmt: skip
    with pytest.raises(GuardFailed, match="2026-06-05"):
        transition(
            refresh(p), Status.ACCEPTED, actor=people.handler_a,
            occurred_on=date(2026, 6, 4), occurred_reason=BACKLOG,
        )  # fmt: skip


def test_a_step_taken_today_is_after_a_backdated_one(people) -> None:
    p = _received_in_june(people)
    p = transition(
        p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a,
        occurred_on=date(2026, 6, 5), occurred_reason=BACKLOG,
    )  # fmt: skip
    p = transition(refresh(p), Status.ACCEPTED, actor=people.handler_a)
    assert p.accepted_on == date(2026, 9, 1)
    with pytest.raises(GuardFailed, match="2026-09-01"):
        transition(
            refresh(p), Status.IN_HANDLING, actor=people.handler_a,
            occurred_on=date(2026, 8, 1), occurred_reason=BACKLOG,
        )  # fmt: skip


def test_an_extension_takes_its_real_approval_date(people) -> None:
    p = _received_in_june(people)
    p = transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a,
                   occurred_on=date(2026, 6, 3), occurred_reason=BACKLOG)  # fmt: skip
    p = transition(p, Status.ACCEPTED, actor=people.handler_a,
                   occurred_on=date(2026, 6, 10), occurred_reason=BACKLOG)  # fmt: skip
    extension = extend_handling(
        p,
        actor=people.leader_a,
        days=20,
        reason="需补充调查",
        occurred_on=date(2026, 8, 1),
        occurred_reason=BACKLOG,
    )
    assert extension.approved_on == date(2026, 8, 1)
    assert not extension.is_late  # approved within the 60 days (Art. 34)
    assert refresh(p).handle_due == date(2026, 8, 31)  # 80 days from 10 June
    assert Extension.objects.get(petition=p).new_due == date(2026, 8, 31)
