"""Open311 GeoReport v2: every endpoint in XML and JSON, errors as the spec says, api_key,
durable idempotent create, the JSON Schemas, and a public feed without accusations,
personal data or identifying free text (canary strings)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.org.models import Unit
from xinfang.petitions.choices import Channel, Kind, Status
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, find_by_query_code, register_petition
from xinfang.petitions.workflow import transition
from xinfang.portal.models import Open311Client
from xinfang.portal.open311 import views as open311_views
from xinfang.portal.services import issue_open311_client, revoke_open311_client
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import answer
from xinfang.portal.tests.schema import validate
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db

FORMATS = ["xml", "json"]


def url(name: str, fmt: str, **kwargs: Any) -> str:
    return reverse(f"open311:{name}", kwargs={"fmt": fmt, **kwargs})


def as_json(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def as_xml(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own server's output


@pytest.fixture
def client_key(portal: Portal) -> tuple[Open311Client, str]:
    return issue_open311_client(actor=None, name="12345热线", unit=portal.office, trusted=True)


def create_data(key: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "api_key": key,
        "service_code": "0205",
        "address_string": "甲镇人民路12号门口",
        "description": "人民路下水道堵塞，雨天积水严重。",
        "last_name": "赵",
        "first_name": "某某",
        "phone": "13700001111",
    }
    data.update(overrides)
    return data


def public_matter(unit: Unit, summary: str = "反映道路积水", **kwargs: Any) -> Petition:
    from xinfang.petitions.models import MatterType

    return register_petition(
        actor=None,
        registering_unit=unit,
        channel="online",
        kind=kwargs.pop("kind", "appeal"),
        summary=summary,
        matter_type=MatterType.objects.get(code=kwargs.pop("code", "0205")),
        petitioners=kwargs.pop("petitioners", [PetitionerData(name="钱某", phone="13911112222")]),
        propose_matches=False,
        **kwargs,
    ).petition


# ---------------------------------------------------------------------------------------
# Discovery and services


def test_discovery_json_and_xml(portal: Portal) -> None:
    data = as_json(Client().get(url("discovery", "json")))
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert data["changeset"].endswith("+08:00")
    root = as_xml(Client().get(url("discovery", "xml")))
    assert root.tag == "discovery"
    formats = [f.text for f in root.findall("./endpoints/endpoint/formats/format")]
    assert formats == ["text/xml", "application/json"]


def test_services_list_matter_types_with_string_codes(portal: Portal) -> None:
    services = as_json(Client().get(url("services", "json")))
    validate(services, "services.json")
    codes = [s["service_code"] for s in services]
    assert "0205" in codes and all(isinstance(c, str) for c in codes)
    # Accusation categories (纪检监察) are not offered.
    assert not any(c.startswith("08") for c in codes)
    road = next(s for s in services if s["service_code"] == "0205")
    assert road["service_name"] == "市政设施" and road["group"] == "城乡建设"
    assert road["metadata"] is True and road["type"] == "batch"
    root = as_xml(Client().get(url("services", "xml")))
    assert root.tag == "services"
    xml_codes = [s.findtext("service_code") for s in root.findall("service")]
    assert xml_codes == codes
    assert root.find("service/metadata").text == "true"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(portal: Portal, fmt: str) -> None:
    response = Client().get(url("service", fmt, code="0205"))
    assert response.status_code == 200
    if fmt == "json":
        data = as_json(response)
        validate(data, "service-definition.json")
        assert [a["code"] for a in data["attributes"]] == ["kind", "confidential"]
    else:
        root = as_xml(response)
        assert root.tag == "service_definition" and root.findtext("service_code") == "0205"
        keys = [v.findtext("key") for v in root.findall("./attributes/attribute/values/value")]
        assert keys[:2] == ["appeal", "suggestion"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_code_is_404_with_errors(portal: Portal, fmt: str) -> None:
    for code in ("9999", "0801"):  # unknown, and an accusation type
        response = Client().get(url("service", fmt, code=code))
        assert response.status_code == 404
        if fmt == "json":
            errors = as_json(response)
            assert errors[0]["code"] == 404 and code in errors[0]["description"]
        else:
            root = as_xml(response)
            assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_unknown_jurisdiction_is_404_and_known_one_is_accepted(portal: Portal) -> None:
    assert Client().get(url("services", "json"), {"jurisdiction_id": "000000"}).status_code == 404
    ok = Client().get(url("services", "json"), {"jurisdiction_id": portal.cast.county.admin_code})
    assert ok.status_code == 200


# ---------------------------------------------------------------------------------------
# Create


@pytest.mark.parametrize("fmt", FORMATS)
def test_create_registers_an_online_matter_at_the_clients_unit(
    portal: Portal, client_key: tuple[Open311Client, str], fmt: str
) -> None:
    client, key = client_key
    response = Client().post(url("requests", fmt), create_data(key))
    assert response.status_code == 200
    if fmt == "json":
        body = as_json(response)[0]
    else:
        element = as_xml(response).find("request")
        assert element is not None
        body = {child.tag: child.text for child in element}
    petition = Petition.objects.get()
    assert body["service_request_id"] == petition.number
    assert petition.channel == Channel.ONLINE and petition.registering_unit == portal.office
    assert petition.matter_type is not None and petition.matter_type.code == "0205"
    assert petition.place == "甲镇人民路12号门口" and petition.kind == Kind.APPEAL
    assert petition.petitioners.get().name == "赵某某"
    assert find_by_query_code(body["query_code"], "13700001111") == petition
    assert Open311Client.objects.get(pk=client.pk).last_used_at is not None


def test_create_defers_the_same_matter_search_until_after_commit(
    portal: Portal, client_key: tuple[Open311Client, str], django_capture_on_commit_callbacks: Any
) -> None:
    from xinfang.petitions.models import SameMatterCandidate

    _client, key = client_key
    earlier = public_matter(portal.office, summary="人民路下水道堵塞，雨天积水严重。")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().post(url("requests", "json"), create_data(key))
    assert response.status_code == 200
    new = Petition.objects.exclude(pk=earlier.pk).get()
    assert not SameMatterCandidate.objects.filter(petition=new).exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert [c.candidate for c in SameMatterCandidate.objects.filter(petition=new)] == [earlier]
    # A replay of the same request creates nothing and queues no second search.
    with django_capture_on_commit_callbacks(execute=False) as again:
        Client().post(url("requests", "json"), create_data(key, idempotency_key="k-1"))
        Client().post(url("requests", "json"), create_data(key, idempotency_key="k-1"))
    assert len(again) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_create_without_or_with_a_wrong_api_key_is_403(portal: Portal, fmt: str) -> None:
    for key in ("", "o311_wrong"):
        response = Client().post(url("requests", fmt), create_data(key))
        assert response.status_code == 403
        if fmt == "json":
            assert as_json(response)[0]["code"] == 403
        else:
            assert as_xml(response).findtext("error/code") == "403"
    assert not Petition.objects.exists()


def test_a_revoked_key_is_refused(portal: Portal, client_key: tuple[Open311Client, str]) -> None:
    client, key = client_key
    revoke_open311_client(client, actor=None)
    assert Client().post(url("requests", "json"), create_data(key)).status_code == 403


def test_create_reports_every_problem_as_400(
    portal: Portal, client_key: tuple[Open311Client, str]
) -> None:
    _client, key = client_key
    data = create_data(
        key,
        service_code="9999",
        address_string="",
        description="",
        last_name="",
        first_name="",
        phone="abc",
    )
    data["attribute[kind]"] = "accusation"
    response = Client().post(url("requests", "json"), data)
    assert response.status_code == 400
    descriptions = " ".join(e["description"] for e in as_json(response))
    for part in ("9999", "位置", "description", "姓名", "电话号码", "检举控告"):
        assert part in descriptions
    assert all(e["code"] == 400 for e in as_json(response))
    assert not Petition.objects.exists()


def test_create_with_coordinates_only_and_attributes(
    portal: Portal, client_key: tuple[Open311Client, str]
) -> None:
    _client, key = client_key
    data = create_data(key, address_string="", lat="30.25", long="120.16")
    data["attribute[kind]"] = "suggestion"
    data["attribute[confidential]"] = "yes"
    assert Client().post(url("requests", "json"), data).status_code == 200
    petition = Petition.objects.get()
    assert petition.kind == Kind.SUGGESTION and petition.is_confidential
    assert petition.place == "坐标 30.250000,120.160000"
    bad = Client().post(url("requests", "json"), create_data(key, lat="91", long="0"))
    assert bad.status_code == 400


@pytest.mark.parametrize("how", ["field", "header"])
def test_create_is_idempotent_with_a_key(
    portal: Portal, client_key: tuple[Open311Client, str], how: str
) -> None:
    _client, key = client_key
    data = create_data(key)
    headers = {}
    if how == "field":
        data["idempotency_key"] = "req-2026-0001"
    else:
        headers = {"Idempotency-Key": "req-2026-0001"}
    first = as_json(Client().post(url("requests", "json"), data, headers=headers))[0]
    again = as_json(Client().post(url("requests", "json"), data, headers=headers))[0]
    assert first["service_request_id"] == again["service_request_id"]
    assert first["query_code"] == again["query_code"]
    assert Petition.objects.count() == 1
    changed = {**data, "description": "另一件事"}
    conflict = Client().post(url("requests", "json"), changed, headers=headers)
    assert conflict.status_code == 400 and Petition.objects.count() == 1


def test_idempotency_keys_are_per_client(
    portal: Portal, client_key: tuple[Open311Client, str]
) -> None:
    _client, key = client_key
    _other, other_key = issue_open311_client(actor=None, name="市民App", unit=portal.cast.unit_a)
    Client().post(url("requests", "json"), {**create_data(key), "idempotency_key": "k1"})
    Client().post(url("requests", "json"), {**create_data(other_key), "idempotency_key": "k1"})
    assert Petition.objects.count() == 2


def test_create_for_another_jurisdiction_is_refused(
    portal: Portal, client_key: tuple[Open311Client, str]
) -> None:
    _client, key = client_key
    other_county = Unit.objects.create(name="邻县", level="county", admin_code="339902")
    response = Client().post(
        url("requests", "json"), {**create_data(key), "jurisdiction_id": other_county.admin_code}
    )
    assert response.status_code == 400 and not Petition.objects.exists()


def test_get_only_and_post_routes_refuse_other_methods(portal: Portal) -> None:
    assert Client().post(url("services", "json")).status_code == 405
    assert Client().put(url("requests", "json")).status_code == 405


# ---------------------------------------------------------------------------------------
# Request lookups


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_list_and_detail(portal: Portal, fmt: str) -> None:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        open_one = public_matter(portal.cast.unit_a)
        closed_one = answer(public_matter(portal.cast.unit_a), portal.handler_a, portal.leader_a)
        response = Client().get(url("requests", fmt))
        detail = Client().get(url("request", fmt, request_id=open_one.number))
    assert response.status_code == detail.status_code == 200
    if fmt == "json":
        rows = as_json(response)
        validate(rows, "requests.json")
        validate(as_json(detail), "requests.json")
        by_id = {r["service_request_id"]: r for r in rows}
        assert as_json(detail)[0]["service_request_id"] == open_one.number
    else:
        root = as_xml(response)
        assert root.tag == "service_requests"
        by_id = {
            r.findtext("service_request_id"): {c.tag: c.text for c in r}
            for r in root.findall("request")
        }
        assert as_xml(detail).findtext("request/service_request_id") == open_one.number
    assert set(by_id) == {open_one.number, closed_one.number}
    row = by_id[open_one.number]
    assert row["status"] == "open" and by_id[closed_one.number]["status"] == "closed"
    assert (
        row["service_code"] == "0205" and row["requested_datetime"] == "2026-03-02T10:00:00+08:00"
    )
    assert row["expected_datetime"] == "2026-03-17T23:59:59+08:00"  # route due (Art. 22)
    assert row["address"] == "甲镇，测试县" and row["agency_responsible"] == "甲镇"
    assert row["description"] == "城乡建设·市政设施方面的信访事项"


def test_unknown_request_is_404_in_both_formats(portal: Portal) -> None:
    assert Client().get(url("request", "json", request_id="XF0")).status_code == 404
    response = Client().get(url("request", "xml", request_id="XF0"))
    assert response.status_code == 404 and as_xml(response).tag == "errors"


def test_request_list_filters(portal: Portal) -> None:
    with time_machine.travel("2025-11-20 10:00 +0800", tick=False):
        november = public_matter(portal.cast.unit_a, code="0301")
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        road = public_matter(portal.cast.unit_a)
        water = public_matter(portal.cast.unit_b, code="0702")
        water = transition(
            water,
            Status.NOT_ACCEPTED,
            actor=portal.cast.user_with("handler", portal.cast.unit_b),
            reason="属于诉讼途径",
        )
        c = Client()

        def ids(**params: str) -> set[str]:
            response = c.get(url("requests", "json"), params)
            assert response.status_code == 200, response.content
            return {r["service_request_id"] for r in as_json(response)}

        # Default: the last 90 days.
        assert ids() == {road.number, water.number}
        assert ids(service_code="0702") == {water.number}
        assert ids(status="open") == {road.number}
        assert ids(status="closed") == {water.number}
        assert ids(status="open,closed") == {road.number, water.number}
        nov = {"start_date": "2025-11-01T00:00:00+08:00", "end_date": "2025-12-01T00:00:00+08:00"}
        assert ids(**nov) == {november.number}
        # "+" unencoded in a query string arrives as a space; "Z" is UTC.
        assert ids(start_date="2025-11-20T09:59:00 08:00", end_date="2025-11-20T02:01:00Z") == {
            november.number
        }
        assert ids(start_date="2025-11-20T10:01:00+08:00", end_date="2025-11-30") == set()
        assert ids(start_date="2026-03-01") == {road.number, water.number}
        # A list of ids overrides every other filter.
        assert ids(service_request_id=f"{november.number},{road.number}", status="closed") == {
            november.number,
            road.number,
        }
        assert ids(jurisdiction_id=portal.cast.county.admin_code) == {road.number, water.number}
        for bad in (
            {"status": "pending"},
            {"start_date": "yesterday"},
            {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
            {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-02-01T00:00:00+08:00"},
        ):
            response = c.get(url("requests", "json"), bad)
            assert response.status_code == 400 and as_json(response)[0]["code"] == 400


def test_request_list_is_capped(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(open311_views, "MAX_RESULTS", 2)
    made = [public_matter(portal.cast.unit_a, summary=f"事项{i}") for i in range(3)]
    rows = as_json(Client().get(url("requests", "json")))
    assert [r["service_request_id"] for r in rows] == [made[2].number, made[1].number]


def test_request_list_query_count(portal: Portal, django_assert_max_num_queries: Any) -> None:
    for i in range(12):
        public_matter(portal.cast.unit_a if i % 2 else portal.cast.village_a, summary=f"事项{i}")
    with django_assert_max_num_queries(2):
        assert len(as_json(Client().get(url("requests", "json")))) == 12


# ---------------------------------------------------------------------------------------
# What the public feed must never contain


CANARIES = {
    "name": "金丝雀姓名甲",
    "phone": "13987654321",
    "id_number": "11010519491231002X",
    "address": "金丝雀住址巷9号",
    "place": "金丝雀地点村口",
    "summary": "金丝雀摘要内容",
    "full_text": "金丝雀全文细节",
    "accused": "金丝雀被检举人",
}


def _everything(cast: Cast) -> list[bytes]:
    c = Client()
    bodies = []
    for fmt in FORMATS:
        for name, kwargs in (("discovery", {}), ("services", {}), ("requests", {})):
            bodies.append(c.get(url(name, fmt, **kwargs)).content)
        bodies.append(c.get(url("requests", fmt), {"status": "open,closed"}).content)
    return bodies


def test_feed_leaves_out_accusations_personal_data_and_free_text(portal: Portal) -> None:
    cast = portal.cast
    people = [
        PetitionerData(
            name=CANARIES["name"],
            phone=CANARIES["phone"],
            id_number=CANARIES["id_number"],
            address=CANARIES["address"],
        )
    ]
    shown = public_matter(
        cast.unit_a,
        summary=CANARIES["summary"],
        full_text=CANARIES["full_text"],
        place=CANARIES["place"],
        petitioners=people,
    )
    accusation = public_matter(
        portal.office,
        summary="金丝雀检举摘要",
        full_text="金丝雀检举全文",
        kind="accusation",
        accused_person=CANARIES["accused"],
        accused_unit=cast.unit_b,
        code="0101",
        petitioners=[PetitionerData(name="金丝雀检举人", phone="13800009999")],
    )
    confidential = public_matter(
        cast.unit_a,
        summary="金丝雀保密摘要",
        petitioners=[
            PetitionerData(name="金丝雀保密人", phone="13800008888", wants_confidentiality=True)
        ],
    )
    bodies = _everything(cast)
    bodies.append(Client().get(url("request", "json", request_id=shown.number)).content)
    text = b"\n".join(bodies).decode()
    assert shown.number in text
    assert accusation.number not in text and confidential.number not in text
    for canary in [*CANARIES.values(), "金丝雀检举", "金丝雀保密", "13800009999", "13800008888"]:
        assert canary not in text, canary
    # The masked forms of the phone and ID number are not there either.
    assert "139****4321" not in text and "1101" + "*" * 10 not in text
    for fmt in FORMATS:
        for hidden in (accusation, confidential):
            response = Client().get(url("request", fmt, request_id=hidden.number))
            assert response.status_code == 404
        listed = Client().get(
            url("requests", fmt),
            {"service_request_id": f"{accusation.number},{confidential.number}"},
        )
        assert accusation.number not in listed.content.decode()
