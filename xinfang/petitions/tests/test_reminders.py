"""The periodic job: overdue marking and reminders are idempotent and crash-safe."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from xinfang.core.models import Message
from xinfang.core.outbox import InboxChannel, dispatch
from xinfang.petitions.choices import NotificationKind, Status
from xinfang.petitions.models import Petition
from xinfang.petitions.reminders import (
    mark_overdue,
    messages_about,
    queue_reminders,
    reminder_days,
    run_deadline_job,
)
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import transition


@pytest.fixture(autouse=True)
def _registered_on_10_november() -> Any:
    """The matters below are registered on 2026-11-10; the job then runs on later days."""
    with time_machine.travel("2026-11-10T10:00:00+08:00", tick=True):
        yield


def test_reminder_days_parse_the_setting(settings) -> None:
    settings.XINFANG_REMINDER_DAYS = "route=3,notice=2,handle=7,review=5"
    assert reminder_days() == {"route": 3, "notice": 2, "handle": 7, "review": 5}
    with pytest.raises(ValueError):
        reminder_days("bogus=1")


def test_overdue_matter_is_marked_once_and_notified_once(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 11, 10))
    assert p.route_due == date(2026, 11, 25) and not p.is_overdue
    first = run_deadline_job(date(2026, 11, 26))
    again = run_deadline_job(date(2026, 11, 26))
    p = refresh(p)
    assert p.is_overdue and p.overdue_since == date(2026, 11, 25)
    assert (first.marked_overdue, again.marked_overdue) == (1, 0)
    assert again.queued == 0 and again.sent == 0
    notes = messages_about(p)
    assert [(n.kind, n.data["step"], n.recipient_unit) for n in notes] == [
        (NotificationKind.OVERDUE, "route", people.cast.unit_a)
    ]
    assert notes.get().sent_at is not None


def test_reminder_is_queued_n_days_before_the_due_date(people, settings) -> None:
    settings.XINFANG_REMINDER_DAYS = "route=3"
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 11, 10))
    assert p.route_due == date(2026, 11, 25)
    assert queue_reminders(date(2026, 11, 21)) == 0  # 4 days before
    assert queue_reminders(date(2026, 11, 22)) == 1  # 3 days before
    assert queue_reminders(date(2026, 11, 23)) == 0  # already queued for this due date
    assert messages_about(p).get().kind == NotificationKind.REMINDER


def test_a_crash_between_marking_and_sending_sends_each_notice_once(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 10, 1))
    mark_overdue(date(2026, 11, 22))  # the "crashed" run: marked and queued, nothing sent
    assert Message.objects.filter(sent_at__isnull=True).count() == 1
    result = run_deadline_job(date(2026, 11, 22))
    assert (result.marked_overdue, result.queued, result.sent) == (0, 0, 1)
    assert dispatch() == 0
    assert messages_about(p).count() == 1


def test_moving_on_clears_overdue_and_a_new_step_gets_its_own_notice(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 10, 1))
    run_deadline_job(date(2026, 11, 22))
    p = transition(refresh(p), Status.ACCEPTED, actor=people.handler_a, today=date(2026, 11, 22))
    assert not p.is_overdue and p.next_due_step == "handle"
    assert Petition.objects.filter(is_overdue=True).count() == 0


def test_matter_received_long_ago_is_overdue_from_registration(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 10, 1))
    assert p.is_overdue and p.overdue_since == p.route_due


def test_mark_overdue_command_runs_the_job(people, capsys) -> None:
    make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 11, 10))
    call_command("mark_overdue", "--today", "2026-11-26")
    assert "新标记超期 1 件" in capsys.readouterr().out
    call_command("mark_overdue", "--today", "2026-11-26")
    assert "新标记超期 0 件" in capsys.readouterr().out


def test_recompute_deadlines_command(people, capsys) -> None:
    make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 10, 1))
    call_command("recompute_deadlines", "--all")
    assert "已重新计算" in capsys.readouterr().out


def test_due_dates_in_the_future_are_not_overdue(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    run_deadline_job(p.route_due - timedelta(days=1))
    assert not refresh(p).is_overdue


def _writes(queries: Any) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


def test_second_run_of_the_job_writes_nothing(people, settings) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.petitions.services import recompute_deadlines

    settings.XINFANG_REMINDER_DAYS = "route=12,handle=7"
    today = date(2026, 11, 26)
    with time_machine.travel("2026-11-22 10:00 +0800", tick=False):
        overdue = make_petition(
            people.cast, actor=people.town_registrar, received_on=date(2026, 11, 10)
        )
        reminded = make_petition(people.cast, actor=people.town_registrar)
        # Accepted in late November: the 60-day handling period ends in 2027, a year the
        # calendar does not cover yet, so the matter waits with a pending due date.
        pending = transition(
            make_petition(people.cast, actor=people.town_registrar),
            Status.ACCEPTED,
            actor=people.handler_a,
        )
    assert refresh(pending).deadline_pending
    first = run_deadline_job(today)
    # One overdue notice (counted as marked) and one reminder (queued), both sent.
    assert (first.marked_overdue, first.queued, first.sent) == (1, 1, 2)
    with CaptureQueriesContext(connection) as queries:
        again = run_deadline_job(today)
    assert (again.recomputed, again.marked_overdue, again.queued, again.sent) == (0, 0, 0, 0)
    assert _writes(queries) == []
    assert recompute_deadlines(pending_only=False, today=today) == 0  # nothing stale either
    assert {n.source for n in Message.objects.all()} == {
        f"petitions.Petition:{overdue.pk}",
        f"petitions.Petition:{reminded.pk}",
    }


def test_a_matter_found_overdue_at_registration_gets_its_notice(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 10, 1))
    assert refresh(p).is_overdue  # marked by the registration itself, not by the job
    result = run_deadline_job(date(2026, 11, 22))
    assert (result.marked_overdue, result.sent) == (0, 1)
    note = messages_about(p).get()
    assert (note.kind, note.data["step"], note.due) == (
        NotificationKind.OVERDUE,
        "route",
        p.route_due,
    )


def test_dispatch_empties_the_whole_outbox_in_batches(people) -> None:
    sent: list[int] = []

    class Recording(InboxChannel):
        def deliver(self, message: Message) -> None:
            sent.append(message.pk)

    channels = {"inbox": Recording()}
    for i in range(7):
        make_petition(
            people.cast,
            actor=people.town_registrar,
            summary=f"事项{i}",
            received_on=date(2026, 10, 1),
        )
    mark_overdue(date(2026, 11, 22))
    assert Message.objects.filter(sent_at__isnull=True).count() == 7
    assert dispatch(limit=2, channels=channels) == 2
    assert dispatch(batch_size=3, channels=channels) == 5
    assert dispatch(channels=channels) == 0
    assert sorted(sent) == sorted(Message.objects.values_list("pk", flat=True))
    assert not Message.objects.filter(sent_at__isnull=True).exists()
