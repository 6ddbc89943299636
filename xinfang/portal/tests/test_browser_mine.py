""" "我的信访" in real Chromium: a citizen signs in with the phone, verifies it with the SMS
code, sees the answered matter, downloads the answer as issued and sees who read the phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps

from xinfang.core.models import Message
from xinfang.documents.models import IssuedDocument
from xinfang.org.services import create_citizen
from xinfang.petitions.services import reveal_petitioner
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import PHONE, answer, registered

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Citizen-pass-2026"


def test_citizen_verifies_the_phone_and_downloads_the_answer(page, portal: Portal) -> None:
    assert apps.is_installed("xinfang.documents")
    petition, _ = registered(portal.cast.unit_a, summary="浏览器中的路灯事项")
    answer(petition, portal.handler_a, portal.leader_a)
    reveal_petitioner(petition.petitioners.get(), actor=portal.handler_a, reason="核实")
    user = create_citizen(actor=None, phone=PHONE, password=PASSWORD, full_name="王某某")

    page.goto("/login/")
    page.fill("#id_username", PHONE)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto("/portal/mine/")
    assert "验证手机号码" in page.content()
    page.click("form[action$='/phone/send/'] button")
    page.wait_for_url("**/portal/mine/")
    text = Message.objects.filter(source=f"org.User:{user.pk}").latest("pk").text
    code = re.search(r"验证码为(\d{6})", text).group(1)  # type: ignore[union-attr]
    page.fill("#id_code", code)
    page.click("form[action$='/phone/confirm/'] button")
    page.wait_for_url("**/portal/mine/")
    card = page.get_by_test_id("my-matter")
    assert "浏览器中的路灯事项" in card.inner_text()
    assert portal.handler_a.full_name in card.inner_text()
    with page.expect_download() as download:
        page.click("text=信访事项处理意见书")
    data = Path(download.value.path()).read_bytes()
    assert data == bytes(IssuedDocument.objects.get(petition=petition, kind="answer").pdf)
