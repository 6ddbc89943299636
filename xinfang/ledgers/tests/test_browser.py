"""Main flows in a real browser (Playwright on Debian's Chromium)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.ledgers.tests import factories as f
from xinfang.org.choices import Role
from xinfang.shell.testing import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_register_a_dispute_and_close_it_out_with_a_second_verifier(page, cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a, username="handler-a")
    cast.user_with(Role.UNIT_LEADER, cast.unit_a, username="leader-a")
    today = timezone.localdate()
    _login(page, handler.username)
    page.goto("/ledgers/disputes/new/")
    page.select_option("select[name=unit]", str(cast.unit_a.pk))
    page.select_option("select[name=domain]", "wage_arrears")
    page.fill("input[name=place]", "甲村工地")
    page.fill("textarea[name=subject]", "工地拖欠农民工工资")
    page.fill("textarea[name=parties]", "农民工12人；某建筑公司")
    page.select_option("select[name=risk_level]", "high")
    page.fill("input[name=found_on]", today.isoformat())
    page.fill("input[name=responsible_person]", "王责任")
    page.fill("input[name=deadline]", (today + timedelta(days=10)).isoformat())
    page.click("main button.primary")
    page.wait_for_selector("text=已登记矛盾纠纷")
    page.fill("#reason-resolve", "公司已足额支付工资")
    page.click("form:has(#reason-resolve) button")
    assert page.inner_text("#status") == "已化解待核验"
    assert page.locator("#reason-verify").count() == 0  # the resolver cannot verify
    detail = page.url
    page.click("button:has-text('退出')")
    _login(page, "leader-a")
    page.goto(detail)
    page.click("form:has(#reason-verify) button")
    assert page.inner_text("#status") == "已销号"


def test_file_a_zero_report(page, cast):
    duty = cast.user_with(Role.DUTY_OFFICER, cast.unit_a, username="duty-a")
    due = f.ReportDueFactory(
        unit=cast.unit_a, title="国庆日报告", due_at=timezone.now() + timedelta(hours=2)
    )
    _login(page, duty.username)
    page.goto(f"/ledgers/reports/{due.pk}/")
    page.check("input[name=is_zero]")
    page.click("button:has-text('报送')")
    page.wait_for_selector("#filed")
    assert "零报告" in page.inner_text("#filed")


def test_publish_a_reception_schedule_and_fetch_its_calendar_feed(page, cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a, username="leader-pub")
    f.ReceptionSlotFactory(unit=cast.unit_a, leader_name="郑副县长", status="draft")
    _login(page, leader.username)
    page.goto("/ledgers/reception/schedule/")
    page.click(f"form[action='/ledgers/reception/schedule/publish/{cast.unit_a.pk}/'] button")
    page.wait_for_selector("text=已公布 1 个接访日程")
    page.goto(f"/ledgers/public/reception/{cast.unit_a.pk}/")
    assert "郑副县长" in page.inner_text("main")
    response = page.request.get(f"/ledgers/public/reception/{cast.unit_a.pk}/calendar.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:领导接访：副县长郑副县长" in body  # fullwidth: keep (iCal's own colon)
