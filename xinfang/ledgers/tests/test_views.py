"""Pages: query counts on lists, forms, the petition intake guard, public pages, demo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.ledgers.models import Dispute, ReportDue
from xinfang.ledgers.tests import factories as f
from xinfang.org.choices import Role

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


LISTS = [
    ("ledgers:dispute_list", lambda c, i: f.DisputeFactory(unit=c.unit_a)),
    (
        "ledgers:round_list",
        lambda c, i: f.ScreeningRoundFactory(
            unit=c.unit_a, period_start=date(2026, 1, 1) + timedelta(days=i)
        ),
    ),
    ("ledgers:report_list", lambda c, i: f.ReportDueFactory(unit=c.unit_a)),
    ("ledgers:roster_list", lambda c, i: f.DutyShiftFactory(roster__unit=c.unit_a)),
    ("ledgers:slot_list", lambda c, i: f.ReceptionSlotFactory(unit=c.unit_a)),
    ("ledgers:reception_list", lambda c, i: f.ReceptionFactory(unit=c.unit_a)),
    ("ledgers:meeting_list", lambda c, i: f.MeetingFactory(unit=c.unit_a)),
    ("ledgers:obligation_list", lambda c, i: f.ReportObligationFactory(unit=c.unit_a)),
    ("ledgers:campaign_list", lambda c, i: f.CampaignFactory(unit=c.unit_a)),
    ("ledgers:dashboard", lambda c, i: f.DisputeFactory(unit=c.unit_a)),
]


@pytest.mark.parametrize(("url_name", "make"), LISTS, ids=[n for n, _m in LISTS])
def test_list_query_count_does_not_grow_with_rows(
    cast, url_name, make, django_assert_max_num_queries
):
    user = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    client = _client(user)
    for i in range(30):
        make(cast, i)
    with django_assert_max_num_queries(20):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_register_dispute_form_shows_chinese_errors(cast):
    client = _client(cast.user_with(Role.HANDLER, cast.unit_a))
    response = client.post(
        reverse("ledgers:dispute_create"),
        {
            "unit": cast.unit_a.pk,
            "domain": "wage_arrears",
            "place": "甲村",
            "subject": "欠薪",
            "parties": "工人10人",
            "risk_level": "high",
            "found_on": "2026-03-10",
            "responsible_person": "王某",
            "deadline": "2026-03-01",
        },
    )
    assert response.status_code == 200
    assert "化解期限不能早于排查日期" in response.content.decode()
    assert Dispute.objects.count() == 0


def test_dispute_list_filters_by_status_and_search(cast):
    client = _client(cast.user_with(Role.HANDLER, cast.unit_a))
    f.DisputeFactory(unit=cast.unit_a, subject="山林界址争议", domain="forest_rights")
    f.DisputeFactory(unit=cast.unit_a, subject="工地欠薪事项", domain="wage_arrears")
    body = client.get(reverse("ledgers:dispute_list"), {"q": "山林"}).content.decode()
    assert "山林界址争议" in body and "工地欠薪事项" not in body
    body = client.get(reverse("ledgers:dispute_list"), {"domain": "wage_arrears"}).content.decode()
    assert "工地欠薪事项" in body and "山林界址争议" not in body


def test_public_schedule_shows_only_published_slots(cast):
    f.ReceptionSlotFactory(unit=cast.unit_a, leader_name="已公布领导")
    f.ReceptionSlotFactory(unit=cast.unit_a, leader_name="草稿领导", status="draft")
    body = Client().get(reverse("ledgers:public_schedule", args=[cast.unit_a.pk])).content
    assert "已公布领导".encode() in body and "草稿领导".encode() not in body
    # A unit with nothing published: the page says so (the portal links it), no feed links.
    empty = Client().get(reverse("ledgers:public_schedule", args=[cast.unit_b.pk]))
    assert empty.status_code == 200 and "近期暂无安排".encode() in empty.content
    assert b"calendar.ics" not in empty.content
    assert Client().get(reverse("ledgers:public_ics", args=[cast.unit_b.pk])).status_code == 404
    ics = Client().get(reverse("ledgers:public_ics", args=[cast.unit_a.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content and "草稿领导".encode() not in ics.content


def test_file_zero_report_page(cast):
    due = f.ReportDueFactory(unit=cast.unit_a, due_at=timezone.now() + timedelta(hours=1))
    client = _client(cast.user_with(Role.DUTY_OFFICER, cast.unit_a))
    response = client.post(
        reverse("ledgers:report_file", args=[due.pk]), {"is_zero": "on"}, follow=True
    )
    assert "零报告已报送" in response.content.decode()
    due.refresh_from_db()
    assert due.is_zero and due.status == "filed"


def test_demo_hook_builds_every_ledger():
    from xinfang.org.demo import build_demo_county

    build_demo_county()
    assert Dispute.objects.filter(status="closed").exists()
    assert Dispute.objects.filter(status="resolved").exists()
    assert ReportDue.objects.filter(status="missing").exists()
    assert any(d.is_late for d in ReportDue.objects.filter(status="filed"))
    from xinfang.ledgers.models import Campaign, Meeting, ReceptionSlot

    assert Campaign.objects.get().phases.count() == 3
    assert ReceptionSlot.objects.filter(status="published").count() == 4
    assert Meeting.objects.exists()


def test_campaign_phases_take_either_comma(cast):
    from xinfang.ledgers.forms import CampaignForm

    typed = "动员部署，2026-02-20，2026-02-25\n集中攻坚,2026-02-26,2026-03-31"  # fullwidth: keep
    form = CampaignForm(data={"phases": typed}, user=cast.user_with(Role.UNIT_LEADER, cast.unit_a))
    form.is_valid()
    assert form.cleaned_data["phases"] == [
        ("动员部署", date(2026, 2, 20), date(2026, 2, 25)),
        ("集中攻坚", date(2026, 2, 26), date(2026, 3, 31)),
    ]
