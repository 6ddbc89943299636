"""Due dates in a year whose holiday schedule is not entered yet (民法典 Arts. 201, 203).

They stay pending, carry the earliest day they can possibly be (D + N calendar days) and are
shown, reminded and measured against it without ever shortening a citizen's window. The
year 2027 is removed from the calendar in each test so that the tests keep their meaning
whatever a future chinese-calendar release covers; the 2027 rows a test enters are fictional
test data, not a schedule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine

from xinfang.core.calendar import due_text, recompute_pending_dues
from xinfang.core.models import CalendarDay, CalendarYear
from xinfang.petitions import measures
from xinfang.petitions.choices import NotificationKind
from xinfang.petitions.models import Petition, WindowCheck
from xinfang.petitions.reminders import messages_about, queue_reminders
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition, petitioner_proof, refresh
from xinfang.petitions.windows import decide_window_check
from xinfang.petitions.workflow import transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("year_2027_not_entered")]

ANSWER = {"outcome": "support", "facts": "属实", "reasons": "职责", "legal_basis": "条例"}


def step(p: Petition, to: str, actor: Any, day: date, **payload: Any) -> Petition:
    with time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False):
        return transition(p, to, actor=actor, today=day, **payload)


def registered(people: People, day: date) -> Petition:
    with time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False):
        return make_petition(people.cast, received_on=day)


def enter_2027(*rest_days: date) -> dict[str, int]:
    """Enter a fictional 2027 (only the given extra rest days) and recompute."""
    CalendarYear.objects.create(year=2027, source="测试用虚构安排")
    for day in rest_days:
        CalendarDay.objects.create(date=day, is_working_day=False, name="测试假日")
    return recompute_pending_dues()


def test_due_text_reads_date_pending_or_dash() -> None:
    assert due_text(date(2026, 10, 8)) == "2026-10-08"
    assert due_text(None, date(2027, 1, 4)) == "待定，不早于 2027-01-04"
    assert due_text(None) == "—"


def test_route_due_in_2027_is_pending_not_before_received_plus_15(people: People) -> None:
    p = registered(people, date(2026, 12, 20))
    assert p.route_due is None and p.deadline_pending
    assert p.not_before("route_due") == date(2027, 1, 4)
    assert p.next_due_not_before == date(2027, 1, 4)
    assert p.due_text("route_due") == "待定，不早于 2027-01-04"


def test_entering_the_year_replaces_the_provisional_date(people: People) -> None:
    p = registered(people, date(2026, 12, 20))
    # 2027-01-04 is a Monday; a fictional rest day on it moves the last day to the 5th.
    changed = enter_2027(date(2027, 1, 4))
    assert changed["信访事项"] == 1
    p = refresh(p)
    assert p.route_due == date(2027, 1, 5) and not p.deadline_pending
    assert p.provisional_dues == {} and p.next_due_not_before is None


def test_staff_are_reminded_against_the_earliest_day(people: People, settings: Any) -> None:
    settings.XINFANG_REMINDER_DAYS = "route=3"
    p = registered(people, date(2026, 12, 20))
    assert queue_reminders(date(2026, 12, 31)) == 0  # 4 days before 2027-01-04
    assert queue_reminders(date(2027, 1, 1)) == 1
    assert queue_reminders(date(2027, 1, 2)) == 0  # once per period
    note = messages_about(p).get()
    assert note.kind == NotificationKind.REMINDER and note.due == date(2027, 1, 4)
    assert "待定" in note.text and "2027-01-04" in note.text


def test_due_list_includes_a_pending_matter_by_its_earliest_day(people: People) -> None:
    p = registered(people, date(2026, 12, 20))
    soon = Petition.objects.due_within(7, today=date(2026, 12, 30))
    later = Petition.objects.due_within(3, today=date(2026, 12, 30))
    assert p in soon and p not in later


def test_answer_on_the_day_of_acceptance_is_on_time_while_the_due_date_is_pending(
    people: People,
) -> None:
    # The case seen in December: accepted and answered on 2026-11-20, handling due 60 days
    # later (2027-01-19, pending). It was counted late (0/1) and cost 6.2 points.
    p = registered(people, date(2026, 11, 18))
    p = step(p, "accepted", people.handler_a, date(2026, 11, 20))
    p = step(p, "answered", people.leader_a, date(2026, 11, 20), **ANSWER)
    assert p.handle_due is None and p.not_before("handle_due") == date(2027, 1, 19)
    result = measures.unit_measures(
        people.cast.unit_a, date(2026, 11, 1), date(2026, 11, 30), today=date(2026, 12, 2)
    )
    assert result.on_time_completion == measures.Ratio(1, 1)
    rows = measures.fact_rows([result])
    completion = "petitions.rate.on_time_completion"
    assert [(r.key, r.value) for r in rows if r.key == completion] == [(completion, 100.0)]


def test_answer_after_the_earliest_day_is_counted_pending_until_the_year_is_entered(
    people: People,
) -> None:
    p = registered(people, date(2026, 11, 18))
    p = step(p, "accepted", people.handler_a, date(2026, 11, 20))
    with time_machine.travel("2027-01-25 10:00 +0800", tick=False):
        p = step(p, "answered", people.leader_a, date(2027, 1, 25), **ANSWER)
    january = (date(2027, 1, 1), date(2027, 1, 31))
    result = measures.unit_measures(people.cast.unit_a, *january, today=date(2027, 1, 31))
    assert result.on_time_completion == measures.Ratio(0, 0, pending=1)
    assert result.on_time_completion.percent is None  # no 6.2 fact: nothing to judge yet
    assert not [
        r for r in measures.fact_rows([result]) if r.key == "petitions.rate.on_time_completion"
    ]
    enter_2027()
    result = measures.unit_measures(people.cast.unit_a, *january, today=date(2027, 1, 31))
    assert result.on_time_completion == measures.Ratio(0, 1)  # due 2027-01-19: late


def test_acceptance_before_the_earliest_notice_day_is_timely_while_pending(
    people: People,
) -> None:
    p = registered(people, date(2026, 12, 20))  # notice due ≥ 2027-01-04
    with time_machine.travel("2026-12-22 10:00 +0800", tick=False):
        step(p, "accepted", people.handler_a, date(2026, 12, 22))
    result = measures.unit_measures(
        people.cast.unit_a, date(2026, 12, 1), date(2026, 12, 31), today=date(2026, 12, 31)
    )
    assert result.timely_acceptance == measures.Ratio(1, 1)


def request_review(p: Petition, day: date) -> Petition:
    """The petitioner asks for review on ``day`` (with the portal's proof)."""
    return step(p, "review_requested", None, day, reason="不服", petitioner=petitioner_proof(p))


def _answered_on_10_december(people: People) -> Petition:
    with time_machine.travel("2026-12-10 10:00 +0800", tick=False):
        p = make_petition(people.cast, received_on=date(2026, 12, 1))
        p = step(p, "accepted", people.handler_a, date(2026, 12, 2))
        return step(p, "answered", people.leader_a, date(2026, 12, 10), **ANSWER)


def test_review_request_in_a_pending_window_is_accepted_and_marked(people: People) -> None:
    p = _answered_on_10_december(people)
    # 30 days from 2026-12-10: 2027-01-09 at the earliest (a Saturday), pending.
    assert p.review_request_due is None
    assert p.not_before("review_request_due") == date(2027, 1, 9)
    with time_machine.travel("2027-01-11 10:00 +0800", tick=False):
        p = request_review(p, date(2027, 1, 11))
    check = WindowCheck.objects.get(petition=p)
    assert (check.kind, check.made_on, check.outcome) == (
        WindowCheck.Kind.REVIEW_REQUEST,
        date(2027, 1, 11),
        WindowCheck.Outcome.PENDING,
    )


def test_entering_the_year_settles_requests_in_time(people: People) -> None:
    p = _answered_on_10_december(people)
    with time_machine.travel("2027-01-11 10:00 +0800", tick=False):
        request_review(p, date(2027, 1, 11))
    enter_2027()  # 2027-01-09 is a Saturday: the window ends Monday 2027-01-11
    check = WindowCheck.objects.get(petition=p)
    assert (check.real_due, check.outcome) == (date(2027, 1, 11), WindowCheck.Outcome.IN_TIME)


def test_a_request_outside_the_real_window_is_listed_for_a_staff_decision(
    people: People,
) -> None:
    p = _answered_on_10_december(people)
    with time_machine.travel("2027-01-12 10:00 +0800", tick=False):
        request_review(p, date(2027, 1, 12))
    enter_2027()
    check = WindowCheck.objects.get(petition=p)
    assert check.outcome == WindowCheck.Outcome.LATE  # not dropped: waiting for a decision
    decided = decide_window_check(check, actor=people.leader_a, keep=True, note="邮寄在途")
    assert decided.outcome == WindowCheck.Outcome.KEPT and decided.decided_by == people.leader_a


def test_pages_and_api_show_the_provisional_date(people: People) -> None:
    from django.test import Client
    from django.urls import reverse

    p = registered(people, date(2026, 12, 20))
    client = Client()
    with time_machine.travel("2026-12-21 10:00 +0800", tick=True):
        client.force_login(people.handler_a)
        page = client.get(reverse("petitions:petition_detail", args=[p.pk])).content.decode()
        api = client.get(reverse("api:petitions_detail", args=[p.pk])).json()
    assert "待定，不早于 2027-01-04" in page
    assert api["next_due_not_before"] == "2027-01-04"
    assert api["provisional_dues"]["route_due"] == "2027-01-04"


def test_a_full_recomputation_settles_pending_requests_too(people: People) -> None:
    from django.core.management import call_command

    p = _answered_on_10_december(people)
    with time_machine.travel("2027-01-12 10:00 +0800", tick=False):
        request_review(p, date(2027, 1, 12))
    CalendarYear.objects.create(year=2027, source="测试用虚构安排")
    call_command("recompute_deadlines", "--all")
    assert WindowCheck.objects.get(petition=p).outcome == WindowCheck.Outcome.LATE
