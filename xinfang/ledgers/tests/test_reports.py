"""What is due, reminders, late and missing reports across the 2026 holidays."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.core.errors import TransitionNotAllowed
from xinfang.core.models import Message
from xinfang.ledgers import services
from xinfang.ledgers.choices import Cadence, ReportKind, ReportStatus
from xinfang.ledgers.facts import derive_facts
from xinfang.ledgers.models import ReportDue
from xinfang.org.choices import Role

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _daily(cast, **kw):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    return services.create_obligation(
        actor=leader,
        unit=cast.unit_a,
        title="国庆信访稳定日报告",
        cadence=Cadence.DAILY,
        due_time=time(16, 0),
        zero_reporting=True,
        valid_from=date(2026, 10, 1),
        valid_to=date(2026, 10, 7),
        **kw,
    )


def test_daily_zero_reports_are_due_every_day_of_national_day(cast):
    ob = _daily(cast)
    dues = list(ob.dues.order_by("due_at"))
    assert [d.due_at.astimezone(TZ).date().day for d in dues] == [1, 2, 3, 4, 5, 6, 7]
    assert all(d.zero_reporting for d in dues)
    assert services.generate_dues(obligation=ob) == 0  # idempotent


def test_zero_report_filed_on_time_is_not_late(cast):
    due = _daily(cast).dues.order_by("due_at").first()
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    with time_machine.travel(datetime(2026, 10, 1, 15, 0, tzinfo=TZ)):
        due = services.file_report(actor=duty, due=due, is_zero=True)
    assert due.status == ReportStatus.FILED and due.is_zero and not due.is_late
    assert "零报告" in due.content


def test_report_without_content_must_be_a_zero_report(cast):
    due = _daily(cast).dues.first()
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    with pytest.raises(TransitionNotAllowed, match="零报告"):
        services.file_report(actor=duty, due=due, is_zero=False, content="")


def test_late_and_missing_reports_become_facts(cast):
    ob = _daily(cast)
    dues = list(ob.dues.order_by("due_at"))
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    with time_machine.travel(datetime(2026, 10, 1, 15, 0, tzinfo=TZ)):
        services.file_report(actor=duty, due=dues[0], is_zero=True)
    with time_machine.travel(datetime(2026, 10, 2, 18, 0, tzinfo=TZ)):
        services.file_report(actor=duty, due=dues[1], is_zero=True)  # two hours late
    with time_machine.travel(datetime(2026, 10, 4, 17, 0, tzinfo=TZ)):
        result = services.run_ledger_tick()
        # 3 October's report passed its 24-hour grace at 16:00 on the 4th: 漏报.
        assert result["missing"] == 1
        assert services.run_ledger_tick()["missing"] == 0  # idempotent
        facts = derive_facts(date(2026, 10, 1), date(2026, 10, 7))
    items = [(f.key, f.date) for f in facts]
    assert ("ledgers.zero_report.late", date(2026, 10, 2)) in items
    assert ("ledgers.zero_report.missing", date(2026, 10, 3)) in items
    assert not any(d == date(2026, 10, 1) for _i, d in items)
    # 4 October is overdue but still within its grace: neither late nor missing yet.
    assert not any(d == date(2026, 10, 4) for _i, d in items)
    assert ReportDue.objects.get(pk=dues[2].pk).status == ReportStatus.MISSING


def test_a_report_filed_after_being_marked_missing_stays_missing(cast):
    due = _daily(cast).dues.order_by("due_at").first()
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    with time_machine.travel(datetime(2026, 10, 3, 9, 0, tzinfo=TZ)):
        services.run_ledger_tick()
        services.file_report(actor=duty, due=due, is_zero=True)
        facts = derive_facts(date(2026, 10, 1), date(2026, 10, 1))
    assert [f.key for f in facts] == ["ledgers.zero_report.missing"]
    assert "补报" in facts[0].note


def test_reminders_are_written_once_before_the_due_time(cast):
    _daily(cast)
    with time_machine.travel(datetime(2026, 10, 1, 14, 30, tzinfo=TZ)):
        assert services.queue_reminders(datetime.now(tz=TZ)) == 1
        assert services.queue_reminders(datetime.now(tz=TZ)) == 0
    assert Message.objects.count() == 1
    reminder = Message.objects.get()
    assert "16:00" in reminder.text
    # To the reporting unit's inbox (ledger reminders used to reach nobody).
    due = ReportDue.objects.get(pk=reminder.source.removeprefix("ledgers.ReportDue:"))
    assert reminder.recipient_unit_id == due.unit_id
    assert reminder.channel == "inbox"


def test_huey_periodic_task_runs_the_tick(cast):
    from xinfang.ledgers.tasks import ledger_tick

    _daily(cast)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=TZ)):
        result = ledger_tick.call_local()
    assert result["missing"] == 7


def test_weekly_report_due_in_spring_festival_week_moves_to_24_february(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    ob = services.create_obligation(
        actor=leader,
        unit=cast.unit_a,
        title="周报",
        cadence=Cadence.WEEKLY,
        due_time=time(17, 0),
        valid_from=date(2026, 2, 16),
        valid_to=date(2026, 2, 22),
    )
    due = ob.dues.get()
    assert due.due_at.astimezone(TZ) == datetime(2026, 2, 24, 17, 0, tzinfo=TZ)
    with time_machine.travel(datetime(2026, 2, 20, 17, 30, tzinfo=TZ)):
        assert derive_facts(date(2026, 2, 1), date(2026, 2, 28)) == []


def test_pushed_warning_feedback_is_late_after_two_hours(cast):
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    event = datetime(2026, 5, 2, 10, 0, tzinfo=TZ)  # Labour Day holiday
    due = services.record_urgent_event(
        actor=duty,
        unit=cast.unit_a,
        kind=ReportKind.WARNING_FEEDBACK,
        title="上级推送预警",
        event_at=event,
    )
    assert due.due_at == datetime(2026, 5, 2, 12, 0, tzinfo=TZ)
    with time_machine.travel(datetime(2026, 5, 2, 12, 5, tzinfo=TZ)):
        services.file_report(actor=duty, due=due, is_zero=False, content="已核查，情况属实")
        facts = derive_facts(date(2026, 5, 1), date(2026, 5, 5))
    assert [(f.key, f.tags) for f in facts] == [("ledgers.urgent_report.late", "warning_feedback")]


def test_major_event_report_is_due_within_one_hour(cast):
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    due = services.record_urgent_event(
        actor=duty,
        unit=cast.unit_a,
        kind=ReportKind.URGENT_MAJOR,
        title="重大情况",
        event_at=datetime(2026, 2, 17, 9, 0, tzinfo=TZ),
    )
    assert due.due_at == datetime(2026, 2, 17, 10, 0, tzinfo=TZ)
    with pytest.raises(TransitionNotAllowed):
        services.file_report(actor=duty, due=due, is_zero=True)


def test_duty_officer_of_another_unit_cannot_file(cast):
    due = _daily(cast).dues.first()
    other = cast.user_with(Role.DUTY_OFFICER, cast.unit_b)
    from xinfang.core.errors import NotFoundOrForbidden

    with pytest.raises(NotFoundOrForbidden):
        services.file_report(actor=other, due=due, is_zero=True)


def test_a_report_reminder_reaches_the_units_inbox_and_no_other(cast):
    _daily(cast)
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a, "duty-a")
    other = cast.user_with(Role.DUTY_OFFICER, cast.unit_b, "duty-b")
    with time_machine.travel(datetime(2026, 10, 1, 14, 30, tzinfo=TZ)):
        services.queue_reminders(datetime.now(tz=TZ))
        client = Client()
        client.force_login(duty)
        page = client.get(reverse("org:inbox")).content.decode()
        assert "国庆信访稳定日报告" in page and "报送提醒" in page and "1 条未读" in page
        client.force_login(other)
        assert "国庆信访稳定日报告" not in client.get(reverse("org:inbox")).content.decode()
