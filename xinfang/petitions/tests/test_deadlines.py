"""The legal clock across the 2026 holidays and make-up working days, pending years, and
recomputation once a year is entered."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.core.calendar import START_DAY_COUNTED, build_calendar
from xinfang.core.calendar_seed import seed_rows
from xinfang.core.models import CalendarDay, CalendarYear
from xinfang.petitions.choices import Status
from xinfang.petitions.deadlines import Anchors, compute_dues, current_step, pending_notice
from xinfang.petitions.services import extend_handling, recompute_deadlines
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import transition

_rows, _years = seed_rows([2025, 2026])
CAL = build_calendar(_rows, _years)


def dues(**kw: object):
    return compute_dues(Anchors(**kw), CAL)  # type: ignore[arg-type]


def test_route_deadline_moves_past_spring_festival() -> None:
    # 5 Feb + 15 = 20 Feb, inside the Spring Festival holiday (15–23 Feb) → Tue 24 Feb.
    assert dues(received_on=date(2026, 2, 5)).route == date(2026, 2, 24)


def test_route_deadline_on_a_make_up_saturday_stays() -> None:
    # 13 Feb + 15 = Sat 28 Feb, an official make-up working day: no move.
    assert dues(received_on=date(2026, 2, 13)).route == date(2026, 2, 28)


def test_notice_deadline_counts_from_the_hand_over() -> None:
    d = dues(received_on=date(2026, 9, 1), routed_on=date(2026, 9, 20))
    # 20 Sep + 15 = 5 Oct (National Day) → Thu 8 Oct.
    assert d.notice == date(2026, 10, 8)


def test_objection_counts_working_days_including_make_up_days() -> None:
    # From Fri 18 Sep: Sun 20 Sep is a make-up working day (1), 21, 22, 23, 24 (5).
    assert dues(received_on=date(2026, 9, 1), routed_on=date(2026, 9, 18)).objection == date(
        2026, 9, 24
    )
    # From Tue 29 Sep: 30 Sep, 8 Oct, 9 Oct, Sat 10 Oct (make-up), Mon 12 Oct.
    assert dues(received_on=date(2026, 9, 1), routed_on=date(2026, 9, 29)).objection == date(
        2026, 10, 12
    )


def test_accept_deadline_moves_past_national_day() -> None:
    # Accepted 2 Aug: 60 days = 1 Oct (National Day) → Thu 8 Oct.
    assert dues(received_on=date(2026, 8, 1), accepted_on=date(2026, 8, 2)).handle == date(
        2026, 10, 8
    )


def test_handling_deadline_moves_past_labour_day() -> None:
    assert dues(received_on=date(2026, 3, 1), accepted_on=date(2026, 3, 2)).handle == date(
        2026, 5, 6
    )


def test_extension_lengthens_the_period_from_acceptance() -> None:
    d = dues(received_on=date(2026, 3, 1), accepted_on=date(2026, 3, 2), extension_days=30)
    assert d.handle == date(2026, 6, 1)  # 31 May is a Sunday


def test_review_windows_and_answers_are_30_days() -> None:
    d = dues(
        received_on=date(2026, 1, 5),
        answer_received_on=date(2026, 5, 20),
        review_requested_on=date(2026, 5, 22),
        review_decided_on=date(2026, 5, 20),
        rereview_requested_on=date(2026, 5, 21),
    )
    # 20 May + 30 = 19 Jun, the Dragon Boat holiday (19–21 Jun) → Mon 22 Jun.
    assert d.review_request == date(2026, 6, 22)
    # 22 May + 30 = 21 Jun (Dragon Boat holiday 19–21 Jun) → Mon 22 Jun.
    assert d.review == date(2026, 6, 22)
    assert d.rereview_request == date(2026, 6, 22)
    assert d.rereview == date(2026, 6, 22)  # 20 Jun (holiday) → 22 Jun


def test_hearing_days_are_not_counted_in_rereview() -> None:
    d = dues(
        received_on=date(2026, 1, 5), rereview_requested_on=date(2026, 3, 2), rereview_pause_days=10
    )
    assert d.rereview == date(2026, 4, 13)  # 2 Mar + 40 = 11 Apr (Sat) → 13 Apr


def test_start_day_counted_convention_is_configurable() -> None:
    d = compute_dues(Anchors(received_on=date(2026, 3, 2)), CAL, START_DAY_COUNTED)
    assert d.route == date(2026, 3, 16)


def test_due_date_in_an_uncovered_year_is_pending_with_a_notice() -> None:
    d = dues(received_on=date(2026, 11, 22), accepted_on=date(2026, 11, 22))
    assert d.route == date(2026, 12, 7)
    assert d.handle is None and d.pending_years == frozenset({2027})
    assert "2027年节假日安排未录入" in pending_notice(d.pending_years)


def test_current_step_follows_the_status() -> None:
    d = dues(received_on=date(2026, 3, 2), accepted_on=date(2026, 3, 2))
    assert current_step(Status.IN_HANDLING, d) == ("handle", d.handle)
    assert current_step(Status.CLOSED, d) == ("", None)
    assert current_step(Status.ANSWERED, d, report_outstanding=True)[0] == "report"
    assert current_step(Status.REREVIEW_REQUESTED, d, hearing_open=True)[1] is None


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 10, 1)))
def test_handling_due_is_a_working_day_at_least_60_days_later(accepted: date) -> None:
    due = dues(received_on=accepted, accepted_on=accepted).handle
    assert due is not None and (due - accepted).days >= 60 and CAL.is_working_day(due)


@pytest.mark.django_db
def test_matter_saved_with_pending_due_and_recomputed_when_2027_is_entered(people) -> None:
    with time_machine.travel("2026-11-22 10:00 +0800", tick=False):
        p = make_petition(people.cast, actor=people.town_registrar)
        p = transition(p, Status.ACCEPTED, actor=people.handler_a)
        assert p.handle_due is None and p.deadline_pending
        assert "2027年节假日安排未录入" in refresh(p).deadline_notice
        CalendarYear.objects.create(year=2027, source="test")
        CalendarDay.objects.create(date=date(2027, 1, 21), is_working_day=False, name="测试假日")
        assert recompute_deadlines() == 1
    p = refresh(p)
    # 22 Nov 2026 + 60 = Thu 21 Jan 2027, entered as a rest day → Fri 22 Jan.
    assert p.handle_due == date(2027, 1, 22) and not p.deadline_pending
    assert p.deadline_notice == "" and p.next_due == p.handle_due


@pytest.mark.django_db
def test_extension_recomputes_the_stored_due(people) -> None:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        p = make_petition(people.cast, actor=people.town_registrar)
        p = transition(p, Status.ACCEPTED, actor=people.handler_a)
        assert p.handle_due == date(2026, 5, 6)
        ext = extend_handling(p, actor=people.leader_a, days=20, reason="需要鉴定")
    p = refresh(p)
    assert (ext.old_due, ext.new_due, p.handle_due, p.next_due) == (
        date(2026, 5, 6),
        date(2026, 5, 21),
        date(2026, 5, 21),
        date(2026, 5, 21),
    )


def test_extension_counts_from_acceptance_not_from_the_rolled_due_date() -> None:
    # Accepted 2 Aug: day 60 = 1 Oct (National Day) → 8 Oct. A 5-day extension is
    # 2 Aug + 65 = 6 Oct (still the holiday) → 8 Oct, not 8 Oct + 5 = 13 Oct.
    plain = dues(received_on=date(2026, 8, 1), accepted_on=date(2026, 8, 2))
    extended = dues(received_on=date(2026, 8, 1), accepted_on=date(2026, 8, 2), extension_days=5)
    assert plain.handle == extended.handle == date(2026, 10, 8)
    # 2 Aug + 90 = 31 Oct (Sat) → Mon 2 Nov: the longest lawful period.
    longest = dues(received_on=date(2026, 8, 1), accepted_on=date(2026, 8, 2), extension_days=30)
    assert longest.handle == date(2026, 11, 2)


def test_review_request_window_runs_from_the_receipt_when_recorded() -> None:
    answered_only = dues(received_on=date(2026, 1, 5), answer_received_on=date(2026, 3, 2))
    assert answered_only.review_request == date(2026, 4, 1)
    received = dues(received_on=date(2026, 1, 5), answer_received_on=date(2026, 3, 10))
    assert received.review_request == date(2026, 4, 9)


def test_rereview_request_window_runs_from_the_receipt_of_the_review_opinion() -> None:
    d = dues(
        received_on=date(2026, 1, 5),
        review_decided_on=date(2026, 3, 10),
        review_received_on=date(2026, 3, 20),
    )
    assert d.rereview_request == date(2026, 4, 20)  # 19 Apr is a Sunday
    assert dues(
        received_on=date(2026, 1, 5), review_decided_on=date(2026, 3, 10)
    ).rereview_request == date(2026, 4, 9)
