"""Display defects found walking the demo: each page says what it means, once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.core.errors import TransitionNotAllowed
from xinfang.ledgers import services
from xinfang.ledgers.choices import Cadence, RoundKind
from xinfang.ledgers.models import ReportDue, ReportObligation
from xinfang.ledgers.services.screening import _round_title
from xinfang.ledgers.tests import factories as f
from xinfang.org.choices import Role
from xinfang.org.demo import STAFF

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_campaign_page_lists_each_submission_requirement_once_in_words(cast) -> None:
    leader = cast.user_with(Role.UNIT_LEADER, cast.county)
    campaign = f.CampaignFactory(
        unit=cast.county, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 30)
    )
    campaign.participants.set([cast.unit_a, cast.unit_b, cast.department])
    services.add_campaign_submission(
        actor=leader, campaign=campaign, title="排查台账", cadence=Cadence.WEEKLY, due_time=time(16)
    )
    body = _client(leader).get(reverse("ledgers:campaign_detail", args=[campaign.pk])).content
    text = body.decode()
    assert text.count("排查台账：每周五 16:00 前") == 1
    assert "{&#x27;title&#x27;" not in text and "{'title'" not in text


def test_flash_messages_do_not_double_the_word_yi(cast) -> None:
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    dispute = f.DisputeFactory(unit=cast.unit_a)
    response = _client(handler).post(
        reverse("ledgers:dispute_transition", args=[dispute.pk]),
        {"step": "resolve", "reason": "签订调解协议"},
        follow=True,
    )
    text = response.content.decode()
    assert "已化解待核验" in text and "已已" not in text


def test_a_half_month_round_is_named_by_the_half_it_lies_in() -> None:
    def title(start: date, end: date) -> str:
        return _round_title(RoundKind.REGULAR, Cadence.HALF_MONTHLY, start, end)

    assert title(date(2026, 10, 1), date(2026, 10, 15)) == "2026年10月上半月定期排查"
    partial = title(date(2026, 10, 3), date(2026, 10, 15))
    assert partial == "2026年10月上半月（10月03日—10月15日）定期排查"
    assert title(date(2026, 10, 16), date(2026, 10, 31)) == "2026年10月下半月定期排查"


def test_no_demo_name_repeats_its_title() -> None:
    for _role, _login, _unit, full_name, title in STAFF:
        assert title not in full_name, full_name


def test_a_late_filing_after_missing_is_listed_as_missing_not_late(cast) -> None:
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    due_at = datetime(2026, 8, 30, 16, tzinfo=TZ)
    due = f.ReportDueFactory(
        unit=cast.unit_a,
        title="补报的日报",
        due_at=due_at,
        remind_at=due_at - timedelta(hours=2),
        missing_at=due_at + timedelta(hours=24),
    )
    services.mark_missing(timezone.now())
    due.refresh_from_db()
    assert due.status == "missing"
    services.file_report(actor=duty, due=due, is_zero=True)
    due.refresh_from_db()
    assert due.status == "filed" and not due.is_late and due.is_filed_after_missing
    client = _client(duty)
    listed = client.get(reverse("ledgers:report_list")).content.decode()
    assert "漏报（已补报）" in listed
    late = client.get(reverse("ledgers:report_list") + "?state=late").content.decode()
    assert "补报的日报" not in late
    missing = client.get(reverse("ledgers:report_list") + "?state=missing").content.decode()
    assert "补报的日报" in missing


def test_a_roster_with_unstaffed_days_warns(cast) -> None:
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a)
    roster = f.DutyRosterFactory(unit=cast.unit_a)  # 10-01 to 10-07
    for day in (1, 2, 3, 5, 6, 7):
        f.DutyShiftFactory(roster=roster, day=date(2026, 10, day))
    assert services.unstaffed_days(roster) == [date(2026, 10, 4)]
    page = _client(duty).get(reverse("ledgers:roster_detail", args=[roster.pk])).content.decode()
    assert "以下日期尚无人值班：10月04日" in page
    published = (
        _client(duty)
        .post(reverse("ledgers:roster_publish", args=[roster.pk]), follow=True)
        .content.decode()
    )
    assert "注意：以下日期无人值班：10月04日" in published


def test_a_fully_staffed_roster_gives_no_warning(cast) -> None:
    roster = f.DutyRosterFactory(unit=cast.unit_a, ends_on=date(2026, 10, 2))
    for day in (1, 2):
        f.DutyShiftFactory(roster=roster, day=date(2026, 10, day))
    assert services.unstaffed_days(roster) == []


def test_every_village_reports_daily_to_the_town_in_one_step(cast) -> None:
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    obligations = services.create_obligations(
        actor=leader,
        unit=cast.unit_a,
        reporting_level="village",
        title="信访稳定日报",
        cadence=Cadence.DAILY,
        due_time=time(16),
        valid_from=date(2026, 9, 2),
        valid_to=date(2026, 9, 4),
    )
    assert [ob.unit for ob in obligations] == [cast.village_a]
    assert ReportDue.objects.filter(unit=cast.village_a).count() == 3


def test_the_obligation_form_sets_the_village_duty_in_one_post(cast) -> None:
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    response = _client(leader).post(
        reverse("ledgers:obligation_create"),
        {
            "unit": cast.unit_a.pk,
            "reporting_level": "village",
            "title": "信访稳定日报",
            "cadence": "daily",
            "due_time": "16:00",
            "due_weekday": 4,
            "due_offset_working_days": 0,
            "valid_from": "2026-09-02",
            "valid_to": "2026-09-04",
            "remind_before_hours": 2,
            "missing_after_hours": 24,
        },
        follow=True,
    )
    assert "已为 1 个单位建立报告制度" in response.content.decode()
    assert ReportObligation.objects.get().unit == cast.village_a


def test_a_village_duty_needs_villages_below(cast) -> None:
    leader = cast.user_with(Role.UNIT_LEADER, cast.village_a)
    with pytest.raises(TransitionNotAllowed, match="没有所选层级"):
        services.create_obligations(
            actor=leader,
            unit=cast.village_a,
            reporting_level="village",
            title="日报",
            cadence=Cadence.DAILY,
            due_time=time(16),
            valid_from=date(2026, 9, 2),
            valid_to=date(2026, 9, 4),
        )
