"""A period in a real browser: the office opens it; a unit declares a fact and appeals
another; the office decides, closes and publishes; the unit reads its explanation."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.assessment.tests.platform import scheme
from xinfang.org.choices import Role
from xinfang.shell.testing import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def _logout(page: Any) -> None:
    page.click("button:has-text('退出')")


def _step(page: Any, name: str, reason: str = "") -> None:
    if reason:
        page.fill(f"#reason-{name}", reason)
    page.click(f"form:has(#reason-{name}) button")
    page.wait_for_selector("text=已办理")


def test_a_period_from_opening_to_the_units_explanation(page: Any, cast: Any) -> None:
    s = scheme(cast)
    cast.user_with(Role.ASSESSMENT_OFFICER, cast.county, username="office")
    cast.user_with(Role.UNIT_LEADER, cast.unit_a, username="leader-a")

    _login(page, "office")
    page.click("nav >> text=考评")
    page.fill(
        f"form[action='/assessment/schemes/{s.pk}/periods/new/'] input[name=title]", "八月考评"
    )
    page.fill("input[name=start]", "2026-08-01")
    page.fill("input[name=end]", "2026-08-31")
    page.click("button:has-text('开启')")
    page.wait_for_selector("text=考评期次已开启")
    period_url = page.url
    _step(page, "collect")
    page.click("main a:has-text('录入事实')")
    page.select_option("select[name=unit]", label="甲镇")
    page.fill("input[name=item]", "2.1")
    page.fill("input[name=day]", "2026-08-10")
    page.fill("textarea[name=note]", "一件信访事项逾期答复")
    page.click("main button.primary")
    page.wait_for_selector("text=事实已录入")
    page.goto(period_url)
    _step(page, "open_declaration")
    _logout(page)

    _login(page, "leader-a")
    page.goto(period_url)
    page.click("main a:has-text('自评申报')")
    page.select_option("select[name=unit]", label="甲镇")
    page.fill("input[name=item]", "3.1")
    page.fill("input[name=day]", "2026-08-20")
    page.fill("textarea[name=note]", "自查：一件联名信访未回访")
    page.click("main button.primary")
    page.wait_for_selector("text=待考评办审核")
    _logout(page)

    _login(page, "office")
    page.goto(period_url)
    _step(page, "start_review")
    page.click("main a:has-text('查看考评事实')")
    row = page.locator("tr", has_text="自查：一件联名信访未回访")
    row.locator("input[name=reason]").fill("经核查属实")
    row.locator("button:has-text('认定')").first.click()
    page.wait_for_selector("text=已审核")
    page.goto(period_url)
    _step(page, "open_appeals")
    _logout(page)

    _login(page, "leader-a")
    page.goto(period_url)
    page.click("main a:has-text('甲镇')")
    row = page.locator("tr", has_text="一件信访事项逾期答复")
    row.locator("input[name=reason]").fill("已在期限内答复，附送达回证")
    row.locator("button:has-text('申诉')").click()
    page.wait_for_selector("text=申诉已提交")
    assert page.inner_text("#score") == "97.0"  # provisional: 2.1 (−2) and 3.1 (−1) of 100
    _logout(page)

    _login(page, "office")
    page.goto(period_url)
    page.click("main a:has-text('申诉与结果推演')")
    assert "甲镇" in page.inner_text("#what-if")
    appeal = page.locator("tr", has_text="已在期限内答复")
    appeal.locator("input[name=reason]").fill("送达回证显示按期答复")
    appeal.locator("button:has-text('申诉成立')").click()
    page.wait_for_selector("text=已作出决定")
    page.goto(period_url)
    _step(page, "close", "各单位已确认结果")
    _step(page, "publish")
    assert page.inner_text("#status") == "已通报"
    _logout(page)

    _login(page, "leader-a")
    page.goto(period_url)
    page.click("main a:has-text('甲镇')")
    assert page.inner_text("#score") == "99.0"
    why = page.inner_text("#why")
    assert "3.1" in why and "2.1" not in why
