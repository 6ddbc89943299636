"""The whole chain in real Chromium with the demo county's own accounts: the front desk
registers and routes a letter, the township accepts it, its handler drafts the opinion and
its leader approves it, the petitioner asks for review on the portal, the county reviews,
the petitioner asks for re-review, and the city's opinion ends the matter."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from xinfang.org.demo import DEMO_PASSWORD, build_demo_county
from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "xinfang-screens"
PHONE = "13912345678"
SUMMARY = "反映城关镇南门村灌溉水渠堵塞影响春耕"


def _shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"chain-{name}.png"), full_page=True)


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def _step(page, matter: Petition, name: str, label: str, fields: dict[str, str]) -> None:
    """Open the step's form on the matter page, fill it and submit it."""
    page.goto(f"/petitions/{matter.pk}/")
    page.click(f"#step-{name} >> xpath=.. >> summary")
    for field, value in fields.items():
        selector = f"#id_{name}-{field}"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click(f"#step-{name} button[type=submit]")
    page.wait_for_selector(f"text=已完成：{label}")


OPINION = {
    "outcome": "not_support",
    "facts": "经实地查看，水渠系上游农户私自筑坝所致，已责令拆除。",
    "reasons": "所提赔偿请求无事实依据。",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _ask(page, code: str, label: str) -> None:
    """The petitioner, on the portal with the code and phone, asks for review/re-review."""
    page.context.clear_cookies()
    page.goto("/portal/lookup/")
    page.fill("#id_code", code)
    page.fill("#id_phone", PHONE)
    page.click("form.portal-form button[type=submit]")
    page.wait_for_url("**/portal/matter/")
    page.fill("#id_reason", "对处理意见不服，请求上一级机关重新审查。")
    page.click("section[aria-labelledby=review-title] button[type=submit]")
    page.wait_for_selector(f"text=您的{label}申请已提交")


def test_register_route_accept_answer_review_rereview_final_with_demo_accounts(page) -> None:
    demo = build_demo_county()
    office, town = demo.units["petition"], demo.units["城关镇"]

    _login(page, "registrar")
    page.goto("/petitions/new/")
    page.select_option("#id_registering_unit", str(office.pk))
    # The form fits the channel: a head count for a visit, none for a letter.
    page.select_option("#id_channel", "collective_visit")
    assert page.is_visible("#id_head_count") and not page.is_visible("#id_handed_down_by")
    page.select_option("#id_channel", "forwarded")
    assert page.is_visible("#id_handed_down_by") and not page.is_visible("#id_head_count")
    page.select_option("#id_channel", "letter")
    assert not page.is_visible("#id_head_count")
    page.select_option("#id_kind", "appeal")
    page.fill("#id_summary", SUMMARY)
    page.fill("#id_people-0-name", "周农户")
    page.fill("#id_people-0-phone", PHONE)
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("text=信访人查询码")
    code = re.search(r"信访人查询码[:：]\s*([0-9A-Za-z-]+)", page.inner_text("body")).group(1)
    matter = Petition.objects.get(summary=SUMMARY)
    _step(page, matter, "route", "转送/交办", {"to_unit": str(town.pk)})

    _login(page, "handler_town")
    _step(page, matter, "accept", "受理并书面告知", {"notice": "已受理"})
    _step(page, matter, "draft_opinion", "起草意见书（送领导审批）", OPINION)

    _login(page, "leader_town")
    page.goto(f"/petitions/{matter.pk}/")
    assert "待领导审批" in page.inner_text("main")
    _shot(page, "draft-awaiting-approval")
    page.click("#step-answer >> xpath=.. >> summary")
    assert page.input_value("#id_answer-facts") == OPINION["facts"]
    page.click("#step-answer button[type=submit]")
    page.wait_for_selector("text=已完成：出具信访处理意见书")

    _ask(page, code, "请求复查")
    _login(page, "county_leader")
    _step(page, matter, "review_opinion", "出具复查意见", OPINION)

    _ask(page, code, "请求复核")
    _login(page, "city_leader")
    _step(page, matter, "rereview_opinion", "出具复核意见（终结）", OPINION)
    _shot(page, "final")

    matter.refresh_from_db()
    assert matter.status == Status.FINAL and matter.is_final
    stages = list(matter.answers.order_by("pk").values_list("stage", "unit__name"))
    assert stages == [("handling", "城关镇"), ("review", "平安县"), ("rereview", "示范市")]
    assert "信访事项终结" in page.inner_text("main")
