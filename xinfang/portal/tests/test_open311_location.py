"""Open311 lat/long: stored on the matter at create, returned by the public feed to about
100 m, and never for a confidential matter."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xinfang.petitions.models import Petition
from xinfang.portal.models import Open311Client
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.schema import validate
from xinfang.portal.tests.test_open311 import client_key, create_data, public_matter, url

pytestmark = pytest.mark.django_db
__all__ = ["client_key"]  # the fixture, imported for these tests


def test_create_stores_lat_and_long_on_the_matter(
    portal: Portal, client_key: tuple[Open311Client, str]
) -> None:
    _client, key = client_key
    data = create_data(key, lat="30.2512345", long="120.1623456")
    assert Client().post(url("requests", "json"), data).status_code == 200
    petition = Petition.objects.get()
    assert (petition.lat, petition.lon) == (30.2512345, 120.1623456)


def test_create_with_an_address_only_leaves_the_location_empty(
    portal: Portal, client_key: tuple[Open311Client, str]
) -> None:
    _client, key = client_key
    assert Client().post(url("requests", "json"), create_data(key)).status_code == 200
    assert Petition.objects.get().lat is None


def test_the_feed_returns_the_location_to_about_a_hundred_metres(portal: Portal) -> None:
    located = public_matter(portal.cast.unit_a, lat=30.2512345, lon=120.1623456)
    public_matter(portal.cast.unit_a, summary="未给位置")
    rows = json.loads(Client().get(url("requests", "json")).content)
    validate(rows, "requests.json")
    by_id = {r["service_request_id"]: r for r in rows}
    assert (by_id[located.number]["lat"], by_id[located.number]["long"]) == (30.251, 120.162)
    assert [r["lat"] for r in rows if r["service_request_id"] != located.number] == [None]


def test_a_confidential_matter_never_gives_its_location() -> None:
    from xinfang.portal.open311.feed import _public_coordinate

    matter = Petition(lat=30.25, lon=120.16, is_confidential=True)
    assert _public_coordinate(matter, matter.lat) is None
    matter.is_confidential = False
    assert _public_coordinate(matter, matter.lat) == 30.25
