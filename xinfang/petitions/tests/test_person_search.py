"""Staff find matters by petitioner name, phone or ID number: by the keyed digest, in
scope, the term never in a URL, every search audited; the list sorts and exports."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.core.models import AuditEntry
from xinfang.org.choices import Role
from xinfang.petitions.person_search import open_query, parse_query, seal_query
from xinfang.petitions.services import PetitionerData
from xinfang.petitions.tests.factories import make_petition

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
LIST = "petitions:petition_list"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _search(client: Client, term: str):
    response = client.post(reverse(LIST), {"person": term})
    assert response.status_code == 302
    return response["Location"], client.get(response["Location"])


@pytest.fixture
def matters(people):
    zhang = make_petition(
        people.cast,
        summary="张三反映路灯",
        petitioners=[PetitionerData(name="张三", phone="13900001111", id_number=ID_NUMBER)],
    )
    li = make_petition(
        people.cast,
        summary="李四反映积水",
        petitioners=[PetitionerData(name="李四", phone="13900002222")],
    )
    return zhang, li


def test_a_search_by_phone_finds_the_matter_by_its_digest(people, matters) -> None:
    location, page = _search(_client(people.handler_a), "139 0000 1111")
    body = page.content.decode()
    assert "张三反映路灯" in body and "李四反映积水" not in body
    assert "13900001111" not in location and "1111" not in parse_qs(urlparse(location).query)


def test_a_search_by_id_number_or_name(people, matters) -> None:
    client = _client(people.handler_a)
    assert "张三反映路灯" in _search(client, ID_NUMBER.lower())[1].content.decode()
    body = _search(client, "李四")[1].content.decode()
    assert "李四反映积水" in body and "张三反映路灯" not in body


def test_a_search_is_audited_by_kind_never_by_value(people, matters) -> None:
    _search(_client(people.handler_a), "13900001111")
    entry = AuditEntry.objects.filter(object_type="petitions.petitioner").get()
    assert entry.detail == {"search": "phone"} and "13900001111" not in str(entry.__dict__)


def test_a_search_stays_in_scope(people, matters) -> None:
    body = _search(_client(people.handler_b), "张三")[1].content.decode()
    assert "张三反映路灯" not in body


def test_a_confidential_petitioner_is_not_found_by_those_who_need_not_know(people) -> None:
    make_petition(
        people.cast,
        summary="保密信访人的事项",
        petitioners=[PetitionerData(name="王五", phone="13900003333", wants_confidentiality=True)],
    )
    county = people.cast.user_with(Role.SUPERVISOR, people.cast.county, "county-supervisor")
    assert "保密信访人的事项" not in _search(_client(county), "13900003333")[1].content.decode()
    assert (
        "保密信访人的事项" in _search(_client(people.handler_a), "13900003333")[1].content.decode()
    )


def test_a_malformed_phone_or_id_is_explained(people) -> None:
    client = _client(people.handler_a)
    response = client.post(reverse(LIST), {"person": "11010519491231002"}, follow=True)
    assert "电话号码格式不正确" in response.content.decode()


def test_a_forged_token_finds_nothing(people, matters) -> None:
    body = _client(people.handler_a).get(reverse(LIST) + "?who=forged").content.decode()
    assert "没有符合条件的信访事项" in body


def test_a_sealed_query_opens_to_itself() -> None:
    query = parse_query("13900001111")
    assert open_query(seal_query(query)) == query and query.kind == "phone"


def test_the_list_sorts_by_number(people, matters) -> None:
    zhang, li = matters
    client = _client(people.handler_a)
    rows = client.get(reverse(LIST) + "?sort=number").context["page_obj"].object_list
    assert [p.number for p in rows] == sorted([zhang.number, li.number])
    newest = client.get(reverse(LIST)).context["page_obj"].object_list
    assert [p.pk for p in newest] == [li.pk, zhang.pk]


def test_the_export_takes_the_person_search_and_filters(people, matters) -> None:
    client = _client(people.handler_a)
    location, page = _search(client, "张三")
    body = page.content.decode()
    assert reverse("documents:register_export") in body
    token = parse_qs(urlparse(location).query)["who"][0]
    response = client.post(reverse("documents:register_export"), {"who": token})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("张三反映路灯" in c for c in cells)
    assert not any("李四反映积水" in c for c in cells)
