""" "My matters": a citizen with a verified phone sees their matters (by the phone's keyed
digest), downloads the documents addressed to them as issued, and sees who in which office
read their full personal data and when."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.core.models import Message
from xinfang.documents.models import IssuedDocument
from xinfang.documents.tests.helpers import pdf_text
from xinfang.org.services import create_citizen
from xinfang.petitions.services import reveal_petitioner
from xinfang.portal.services import confirm_phone, phone_verified
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import PHONE, answer, registered

pytestmark = pytest.mark.django_db

PASSWORD = "Citizen-pass-2026"


def _citizen(phone: str = PHONE) -> Any:
    return create_citizen(actor=None, phone=phone, password=PASSWORD, full_name="王某某")


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sms_code(user: Any) -> str:
    message = Message.objects.filter(source=f"org.User:{user.pk}").latest("pk")
    match = re.search(r"验证码为(\d{6})", message.text)
    assert match, message.text
    return match.group(1)


def _verify(client: Client, user: Any) -> None:
    assert client.post(reverse("portal:phone_code_send")).status_code == 302
    response = client.post(reverse("portal:phone_code_confirm"), {"code": _sms_code(user)})
    assert response.status_code == 302
    assert phone_verified(user)


def test_matters_are_listed_only_after_the_phone_is_verified(portal: Portal) -> None:
    mine, _ = registered(portal.cast.unit_a, summary="我的道路积水事项")
    registered(portal.cast.unit_a, phone="13700009999", summary="别人的事项")
    user = _citizen()
    client = _signed_in(user)
    before = client.get(reverse("portal:my_matters")).content.decode()
    assert "验证手机号码" in before and "我的道路积水事项" not in before
    _verify(client, user)
    html = client.get(reverse("portal:my_matters")).content.decode()
    assert "我的道路积水事项" in html and mine.number in html
    assert "别人的事项" not in html


def test_a_wrong_code_is_refused_and_tries_are_limited(portal: Portal) -> None:
    user = _citizen()
    client = _signed_in(user)
    client.post(reverse("portal:phone_code_send"))
    right = _sms_code(user)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("portal:phone_code_confirm"), {"code": wrong})
    client.post(reverse("portal:phone_code_confirm"), {"code": right})
    assert not phone_verified(user)  # five wrong tries used the code up


def test_a_changed_phone_needs_a_new_verification(portal: Portal) -> None:
    user = _citizen()
    _verify(_signed_in(user), user)
    user.phone = "13700001234"
    user.save()
    assert not phone_verified(user)


def test_documents_download_as_issued_and_reads_are_shown(portal: Portal) -> None:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        petition, _ = registered(portal.cast.unit_a, summary="下载文书事项")
        answer(petition, portal.handler_a, portal.leader_a)
        reveal_petitioner(petition.petitioners.get(), actor=portal.handler_a, reason="回访")
    user = _citizen()
    client = _signed_in(user)
    _verify(client, user)
    html = client.get(reverse("portal:my_matters")).content.decode()
    links = re.findall(r'href="(/documents/mine/[^"]+)"', html)
    assert len(links) == 2  # the acceptance notice and the answer
    answer_link = next(link for link in links if "answer" in link).replace("&amp;", "&")
    response = client.get(answer_link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "信访事项处理意见书" in text and "甲镇处意〔2026〕1号" in text
    doc = IssuedDocument.objects.get(petition=petition, kind="answer")
    assert client.get(answer_link).content == bytes(doc.pdf)  # the same, as issued
    # Who in which office read the full phone, and when.
    html = client.get(reverse("portal:my_matters")).content.decode()
    assert "甲镇" in html and portal.handler_a.full_name in html and "联系电话" in html
    assert "2026-03-02" in html


def test_another_citizen_cannot_download_the_documents(portal: Portal) -> None:
    petition, _ = registered(portal.cast.unit_a)
    answer(petition, portal.handler_a, portal.leader_a)
    other = _citizen("13700005555")
    client = _signed_in(other)
    _verify(client, other)
    url = reverse("documents:citizen_pdf", args=[petition.pk, "answer"])
    assert client.get(url).status_code == 404
    # Staff are sent to "my matters" (they print from the office pages).
    staff = _signed_in(portal.handler_a).get(url)
    assert staff.status_code == 302 and staff["Location"] == reverse("portal:my_matters")


def test_confirming_without_a_code_sent_is_refused(portal: Portal) -> None:
    user = _citizen()
    with pytest.raises(Exception, match="请先获取验证码"):
        confirm_phone(user, "123456")
