"""The citizen's path in real Chromium: submit online, keep the code, look it up, and rate
the answer the responsible unit gave (through the services, as staff would)."""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import pytest
from django.apps import apps

from xinfang.petitions.choices import Status
from xinfang.petitions.models import MatterType, Petition, ReturnVisit
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import answer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Screenshots for review go where SCREENSHOT_DIR says (default: a temporary folder).
SCREENS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "xinfang-screens"
PHONE = "13955556666"


def _seed_matter_types() -> None:
    # A transactional test's flush empties the taxonomy seeded by a data migration.
    if not MatterType.objects.exists():
        seed = importlib.import_module("xinfang.petitions.migrations.0002_seed_matter_types")
        seed.seed(apps, None)


def _shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"portal-{name}.png"), full_page=True)


def test_citizen_submits_looks_up_and_rates_the_answer(page, portal: Portal) -> None:
    _seed_matter_types()
    page.goto("/")
    page.wait_for_url("**/portal/")
    assert page.locator("h1").inner_text() == "网上信访 · 信访须知"
    _shot(page, "home")

    page.click("nav[aria-label=群众服务] >> text=网上信访")
    page.fill("#id_name", "孙某某")
    page.fill("#id_phone", PHONE)
    page.fill("#id_address", "测试县甲镇幸福路3号")
    page.check("#id_kind_2")  # 申诉求决类
    page.select_option("#id_matter_type", "0205")
    page.select_option("#id_receiving_unit", str(portal.cast.unit_a.pk))
    page.fill("#id_place", "甲镇幸福路")
    page.fill("#id_summary", "幸福路路灯损坏三个月未修")
    page.fill("#id_full_text", "幸福路路灯自去年起损坏，夜间出行不便，请求尽快修复。")
    _shot(page, "submit")
    page.wait_for_timeout(3100)  # the minimum fill time of the spam control
    page.click("form.portal-form button[type=submit]")
    page.wait_for_url("**/portal/submit/done/")
    code = page.get_by_test_id("query-code").inner_text().strip()
    assert len(code.replace("-", "")) == 28  # seven groups of four, base 32
    _shot(page, "submitted")

    page.reload()
    assert code not in page.content()  # shown once

    petition = Petition.objects.get()
    assert petition.status == Status.REGISTERED
    page.goto("/portal/lookup/")
    page.fill("#id_code", code)
    page.fill("#id_phone", PHONE)
    _shot(page, "lookup")
    page.click("form.portal-form button[type=submit]")
    page.wait_for_url("**/portal/matter/")
    assert "已登记，等待处理" in page.inner_text("main")

    answer(petition, portal.handler_a, portal.leader_a)
    page.reload()
    assert "信访处理意见书" in page.inner_text("main")
    _shot(page, "matter-answered")
    page.check("input[name=rating][value=satisfied]")
    page.fill("#id_comment", "处理及时")
    page.click("text=提交评价")
    page.wait_for_selector("text=感谢您的评价")
    assert page.locator("strong.rating").inner_text() == "满意"
    _shot(page, "matter-rated")
    visit = ReturnVisit.objects.get(petition=petition)
    assert visit.rating == "satisfied" and visit.by_petitioner

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/portal/submit/")
    _shot(page, "submit-mobile")


def test_wrong_code_gets_the_same_answer_in_the_browser(page, portal: Portal) -> None:
    _seed_matter_types()
    page.goto("/portal/lookup/")
    page.fill("#id_code", "0000-1111-2222-3333-4444-5555-6666-7777")
    page.fill("#id_phone", PHONE)
    page.click("form.portal-form button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "查询码或联系电话不正确" in page.inner_text("[role=alert]")
