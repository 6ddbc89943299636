"""Open311 refuses NUL bytes and names or descriptions made only of invisible characters
with the spec's error document (issue 10, finding 8d)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.petitions.models import Petition
from xinfang.portal.models import Open311Client
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.test_open311 import as_json, as_xml, client_key, create_data, url

pytestmark = pytest.mark.django_db
__all__ = ["client_key"]  # the fixture, imported to be used here

ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"


@pytest.mark.parametrize("field", ["last_name", "description", "address_string", "phone"])
def test_nul_byte_in_a_created_request_is_a_400_error_document(
    portal: Portal, client_key: tuple[Open311Client, str], field: str
) -> None:
    _client, key = client_key
    data = create_data(key)
    data[field] = f"{data[field]}\x00X"
    response = Client().post(url("requests", "json"), data)
    assert response.status_code == 400
    errors = as_json(response)
    assert errors[0]["code"] == 400 and "NUL" in errors[0]["description"]
    assert not Petition.objects.exists()


def test_nul_byte_in_a_query_is_a_400_error_document(portal: Portal) -> None:
    response = Client().get(url("requests", "xml"), {"service_code": "02\x0005"})
    assert response.status_code == 400
    assert as_xml(response).find("error/code").text == "400"  # type: ignore[union-attr]


@pytest.mark.parametrize("field", ["last_name", "description"])
def test_a_name_or_description_of_zero_width_spaces_is_refused(
    portal: Portal, client_key: tuple[Open311Client, str], field: str
) -> None:
    _client, key = client_key
    overrides: dict[str, Any] = {field: ZERO_WIDTH + " " + ZERO_WIDTH}
    if field == "last_name":
        overrides["first_name"] = ZERO_WIDTH
    response = Client().post(url("requests", "json"), create_data(key, **overrides))
    assert response.status_code == 400
    assert all(e["code"] == 400 for e in as_json(response))
    assert not Petition.objects.exists()


def test_a_name_with_visible_letters_is_still_accepted(
    portal: Portal, client_key: tuple[Open311Client, str]
) -> None:
    _client, key = client_key
    response = Client().post(url("requests", "json"), create_data(key, first_name="某\u200b某"))
    assert response.status_code == 200
