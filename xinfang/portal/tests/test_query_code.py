"""The query code: ≥128 bits, grouped and readable, printed on the acceptance notice; a lost
code is replaced by a new one sent by SMS (through the outbox) to the phone on the matter."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.core.models import AuditEntry, Message
from xinfang.petitions.models.matter import QUERY_CODE_ALPHABET, _new_query_code
from xinfang.petitions.services import find_by_query_code
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import PHONE, csrf_free, registered

pytestmark = pytest.mark.django_db

GROUPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$")


def test_code_has_140_bits_in_seven_groups_without_look_alike_letters() -> None:
    code = _new_query_code()
    assert GROUPED.match(code)
    assert len(QUERY_CODE_ALPHABET) == 32 and len(code.replace("-", "")) * 5 >= 128
    assert not set("ILOU") & set(code)


def test_a_code_typed_with_look_alikes_lowercase_and_spaces_still_finds_the_matter(
    portal: Portal,
) -> None:
    petition, code = registered(portal.cast.unit_a)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert find_by_query_code(typed, PHONE) == petition


def _replace(number: str, phone: str) -> str:
    response = Client().post(reverse("portal:code_replace"), {"number": number, "phone": phone})
    assert response.status_code == 200
    return response.content.decode()


def test_a_lost_code_is_replaced_by_sms_to_the_phone_on_the_matter(portal: Portal) -> None:
    petition, old = registered(portal.cast.unit_a)
    page = _replace(petition.number, PHONE)
    assert "新的查询码已通过短信发送" in page
    message = Message.objects.get(source=f"petitions.Petition:{petition.pk}", kind="citizen_sms")
    assert message.channel == "sms" and message.phone_digest == petition.contact_phone_digest
    new = re.search(r"新查询码[:：](\S{34})", message.text).group(1)  # type: ignore[union-attr]
    assert new not in page  # never on the page
    assert find_by_query_code(new, PHONE) == petition
    assert find_by_query_code(old, PHONE) is None  # the old code stops working
    entry = AuditEntry.objects.filter(object_id=str(petition.pk), action="change").latest("pk")
    assert entry.detail["query_code"] == "replaced" and new not in str(entry.detail)


def test_a_wrong_phone_gets_the_same_page_and_no_sms(portal: Portal) -> None:
    petition, _ = registered(portal.cast.unit_a)
    right = _replace(petition.number, PHONE)
    Message.objects.all().delete()
    wrong = _replace(petition.number, "13700000000")
    unknown = _replace("XF20269999999", PHONE)
    assert csrf_free(right) == csrf_free(wrong) == csrf_free(unknown)
    assert not Message.objects.exists()
