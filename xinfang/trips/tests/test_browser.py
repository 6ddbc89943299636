"""A trip request in a real browser (Playwright on Debian's Chromium): filed breaking two
rules, both shown, fixed, approved by the county, reported after return."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.org.choices import Role
from xinfang.shell.testing import PASSWORD
from xinfang.trips.models import TripRequest
from xinfang.trips.tests import factories as f

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


def _logout(page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/**")


def test_file_a_request_breaking_two_rules_fix_it_get_it_approved_and_report(page, cast):
    handler = cast.user_with(Role.HANDLER, cast.department, username="trip-handler")
    cast.user_with(Role.UNIT_LEADER, cast.county, username="county-leader")
    today = timezone.localdate()
    item = f.plan_item(cast.department, today.year, purpose="考察土地整治")
    depart = today + timedelta(days=40)

    _login(page, handler.username)
    page.goto("/trips/new/")
    page.select_option("select[name=unit]", str(cast.department.pk))
    page.fill("input[name=title]", "赴欧洲考察团")
    page.fill("textarea[name=purpose]", "考察土地整治经验")
    page.fill("input[name=countries]", "德国、荷兰、比利时")
    page.fill("input[name=depart_on]", depart.isoformat())
    page.fill("input[name=return_on]", (depart + timedelta(days=5)).isoformat())
    page.fill("input[name=visa_apply_on]", (today + timedelta(days=10)).isoformat())
    page.select_option("select[name=plan_item]", str(item.pk))
    page.fill("input[name=m-0-name]", "刘建国")
    page.select_option("select[name=m-0-rank]", "section")
    page.click("#trip-form button.primary")
    page.wait_for_selector("#violations li")
    shown = page.locator("#violations li.violation").all_inner_texts()
    assert len(shown) == 2
    assert "3 个国家" in shown[0] and "第（八）条" in shown[0]
    assert "不足 21 天" in shown[1] and "第（十三）条" in shown[1]
    assert page.inner_text("#approving") == cast.county.name

    page.click("#edit-trip")
    page.fill("input[name=countries]", "德国、荷兰")
    page.fill("input[name=visa_apply_on]", (today + timedelta(days=25)).isoformat())
    page.click("#trip-form button.primary")
    page.wait_for_selector("#no-violations")
    page.click("#step-submit button")
    page.wait_for_selector("text=已提交报批")
    assert page.inner_text("#status") == "已报批"
    detail = page.url
    _logout(page)

    _login(page, "county-leader")
    page.goto(detail)
    page.click("#step-approve button")
    page.wait_for_selector("text=已批准")
    assert page.inner_text("#status") == "已批准"
    _logout(page)

    back = depart + timedelta(days=5)
    with time_machine.travel(back + timedelta(days=4), tick=True):
        _login(page, handler.username)
        page.goto(detail)
        page.fill("#step-record_return input[name=returned_on]", back.isoformat())
        page.click("#step-record_return button")
        page.wait_for_selector("#dues")
        assert "期限" in page.inner_text("#report-due")
        page.fill("#step-file_report textarea[name=text]", "考察报告：荷兰土地整治经验三条。")
        page.click("#step-file_report button")
        page.wait_for_selector("text=已于")
        assert "已于" in page.inner_text("#report-due")
        assert page.inner_text("#status") == "已回国（境）"
    trip = TripRequest.objects.get()
    assert trip.report_filed_on is not None and trip.returned_on == back
