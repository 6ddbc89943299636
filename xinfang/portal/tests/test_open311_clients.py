"""Open311 as outside systems use it: api_key in the query string, anonymous requests where
the jurisdiction allows them, the query code only to trusted clients (SMS otherwise), the
received time as ``requested_datetime`` and the office's public title as description."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.core.models import Message
from xinfang.org.choices import Role
from xinfang.petitions.models import MatterType, Petition
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.portal.models import OfficeProfile
from xinfang.portal.services import issue_open311_client, set_public_title
from xinfang.portal.tests.conftest import Portal

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"open311:{name}", kwargs={"fmt": "json", **kwargs})


def _data(**overrides: Any) -> dict[str, str]:
    data = {
        "service_code": "0205",
        "address_string": "甲镇人民路12号门口",
        "description": "人民路下水道堵塞，雨天积水严重。",
        "last_name": "赵",
        "first_name": "某某",
        "phone": "13700001111",
    }
    data.update(overrides)
    return data


def test_api_key_in_the_query_string_is_accepted(portal: Portal) -> None:
    _client, key = issue_open311_client(actor=None, name="城市App", unit=portal.office)
    response = Client().post(f"{_url('requests')}?api_key={key}", _data())
    assert response.status_code == 200, response.content
    assert Petition.objects.get().registering_unit == portal.office


def test_an_untrusted_client_gets_no_query_code_and_the_petitioner_an_sms(
    portal: Portal,
) -> None:
    _client, key = issue_open311_client(actor=None, name="城市App", unit=portal.office)
    body = json.loads(Client().post(_url("requests"), {**_data(), "api_key": key}).content)[0]
    assert "query_code" not in body
    petition = Petition.objects.get()
    sms = Message.objects.get(source=f"petitions.Petition:{petition.pk}", kind="citizen_sms")
    assert sms.channel == "sms" and "查询码" in sms.text and petition.number in sms.text


def test_a_trusted_client_gets_the_query_code_and_no_sms_is_sent(portal: Portal) -> None:
    _client, key = issue_open311_client(
        actor=None, name="12345热线", unit=portal.office, trusted=True
    )
    body = json.loads(Client().post(_url("requests"), {**_data(), "api_key": key}).content)[0]
    assert len(body["query_code"].replace("-", "")) == 28
    assert not Message.objects.filter(kind="citizen_sms").exists()


def test_anonymous_requests_only_where_the_jurisdiction_allows_them(portal: Portal) -> None:
    county = portal.cast.county.admin_code
    refused = Client().post(_url("requests"), {**_data(), "jurisdiction_id": county})
    assert refused.status_code == 403
    OfficeProfile.objects.create(
        unit=portal.office,
        address="测试县人民路1号",
        complaint_phone="0571-12345678",
        reception_hours="工作日",
        reception_places="县来访接待中心",
        open311_anonymous=True,
    )
    no_jurisdiction = Client().post(_url("requests"), _data())
    assert no_jurisdiction.status_code == 403
    response = Client().post(_url("requests"), {**_data(), "jurisdiction_id": county})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)[0]
    assert "query_code" not in body
    petition = Petition.objects.get()
    assert petition.registering_unit == portal.office
    assert petition.source_reference == "Open311 匿名"
    # A wrong key is still refused, even where anonymous requests are allowed.
    wrong = Client().post(_url("requests"), {**_data(), "jurisdiction_id": county, "api_key": "x"})
    assert wrong.status_code == 403


def _matter(portal: Portal, received: date) -> Petition:
    return register_petition(
        actor=portal.cast.user_with(Role.REGISTRAR, portal.cast.unit_a, "o311-registrar"),
        registering_unit=portal.cast.unit_a,
        channel="letter",
        kind="appeal",
        summary="反映张三家门口人民路8号积水",
        received_on=received,
        matter_type=MatterType.objects.get(code="0205"),
        petitioners=[PetitionerData(name="张三", phone="13911112222")],
        propose_matches=False,
    ).petition


def test_requested_datetime_is_the_received_time(portal: Portal) -> None:
    with time_machine.travel("2026-03-05 15:30 +0800", tick=False):
        letter = _matter(portal, date(2026, 3, 2))  # a letter of 2 March typed in on 5 March
        same_day = _matter(portal, date(2026, 3, 5))
        rows = {
            r["service_request_id"]: r for r in json.loads(Client().get(_url("requests")).content)
        }
    assert rows[letter.number]["requested_datetime"] == "2026-03-02T00:00:00+08:00"
    assert rows[same_day.number]["requested_datetime"] == "2026-03-05T15:30:00+08:00"


def test_public_description_is_the_title_the_office_sets(portal: Portal) -> None:
    p = _matter(portal, date(2026, 9, 1))

    def description() -> str:
        return json.loads(Client().get(_url("request", request_id=p.number)).content)[0][
            "description"
        ]

    assert description() == "城乡建设·市政设施方面的信访事项"
    set_public_title(p, actor=portal.handler_a, title="人民路雨天积水，请求疏通下水道")
    assert description() == "人民路雨天积水，请求疏通下水道"
    assert "张三" not in description() and "8号" not in description()
    set_public_title(p, actor=portal.handler_a, title="")
    assert description() == "城乡建设·市政设施方面的信访事项"


def test_public_title_page_saves_for_the_handling_unit_only(portal: Portal) -> None:
    p = _matter(portal, date(2026, 9, 1))
    page = reverse("portal:public_title_edit", args=[p.pk])
    handler = Client()
    handler.force_login(portal.handler_a)
    response = handler.post(page, {"title": "人民路积水"}, follow=True)
    assert response.status_code == 200 and "公开标题已保存" in response.content.decode()
    assert p.__class__.objects.get(pk=p.pk).public_title.title == "人民路积水"
    other = Client()
    other.force_login(portal.cast.user_with(Role.HANDLER, portal.cast.unit_b, "title-other"))
    assert other.post(page, {"title": "乙镇改的"}).status_code == 404
