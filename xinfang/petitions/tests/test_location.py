"""A matter's optional location: validated at registration, matters nearby within R metres
(only those the user may see), shown on the staff matter page."""

from __future__ import annotations

import math

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.petitions.errors import PetitionError
from xinfang.petitions.location import distance_m, nearby
from xinfang.petitions.tests.factories import make_petition, registrar
from xinfang.shell.testing import sign_in

LAT, LON = 30.2700, 120.1500
# One metre of latitude in degrees on the mean sphere.
M = math.degrees(1 / 6371008.8)


def test_distance_is_the_great_circle_in_metres():
    assert distance_m(LAT, LON, LAT + 100 * M, LON) == pytest.approx(100, abs=0.01)
    assert distance_m(LAT, LON, LAT, LON) == 0


def test_a_location_needs_both_coordinates(cast):
    with pytest.raises(PetitionError, match="同时给出有效的纬度和经度"):
        make_petition(cast, lat=LAT)
    with pytest.raises(PetitionError, match="同时给出有效的纬度和经度"):
        make_petition(cast, lat=95.0, lon=LON)


def test_nearby_lists_matters_within_the_radius_nearest_first(cast):
    here = make_petition(cast, lat=LAT, lon=LON)
    near = make_petition(cast, lat=LAT + 300 * M, lon=LON)
    nearer = make_petition(cast, lat=LAT - 100 * M, lon=LON)
    make_petition(cast, lat=LAT + 600 * M, lon=LON)
    make_petition(cast)
    found = nearby(here, registrar(cast), 500)
    assert [p for p, _d in found] == [nearer, near]
    assert [round(d) for _p, d in found] == [100, 300]


def test_nearby_leaves_out_matters_the_user_may_not_see(cast):
    here = make_petition(cast, lat=LAT, lon=LON)
    make_petition(cast, unit=cast.unit_b, lat=LAT, lon=LON + 0.0001)
    assert nearby(here, registrar(cast), 500) == []


def test_the_matter_page_shows_matters_nearby(cast):
    here = make_petition(cast, lat=LAT, lon=LON)
    other = make_petition(cast, lat=LAT + 200 * M, lon=LON, summary="同一路口积水再次反映")
    client = Client()
    sign_in(client, registrar(cast))
    page = client.get(reverse("petitions:petition_detail", args=[here.pk])).content.decode()
    assert "500 米内的其他事项" in page and other.summary in page and "约 200 米" in page


def test_registration_form_takes_the_picked_location(cast):
    client = Client()
    user = registrar(cast)
    sign_in(client, user)
    form = client.get(reverse("petitions:petition_register")).content.decode()
    assert 'class="location-picker"' in form and "location_picker.js" in form
