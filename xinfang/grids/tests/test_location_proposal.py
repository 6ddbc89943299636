from django.test import Client
from django.urls import reverse

from xinfang.grids.services import units_at
from xinfang.grids.tests import factories as f
from xinfang.grids.tests.shapes import DLAT, DLON, LAT, LON
from xinfang.petitions.location import propose_units
from xinfang.petitions.tests.factories import make_petition, registrar
from xinfang.shell.testing import sign_in


def test_a_location_proposes_the_community_then_the_grid_it_lies_in(cast):
    c = f.community(cast)
    assert units_at(LAT + 0.001, LON + 0.001) == [c.unit, c.grid]
    assert propose_units(LAT + DLAT + 0.001, LON + 0.001) == [c.unit, c.other_grid]
    assert units_at(LAT - 1, LON) == []


def test_the_matter_page_names_the_community_and_grid_of_its_location(cast):
    c = f.community(cast)
    petition = make_petition(cast, lat=LAT + 0.001, lon=LON + DLON + 0.001)
    client = Client()
    sign_in(client, registrar(cast))
    page = client.get(reverse("petitions:petition_detail", args=[petition.pk])).content.decode()
    g21 = next(g for g in c.unit.children.all() if g.boundary.code == "G21")
    assert f"位置所在：{c.unit.name} / {g21.name}" in page


def test_the_public_areas_give_outlines_and_names_only(cast):
    c = f.community(cast)
    data = Client().get(reverse("grids:areas_geojson")).json()
    assert {feat["properties"]["name"] for feat in data["features"]} >= {c.unit.name, c.grid.name}
    assert all(set(feat["properties"]) == {"role", "name", "code"} for feat in data["features"])
