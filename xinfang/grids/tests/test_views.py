from django.test import Client
from django.urls import reverse

from xinfang.grids.tests import factories as f
from xinfang.org.choices import Role
from xinfang.shell.testing import sign_in


def test_the_community_map_data_has_grids_with_staff_and_the_faults(cast):
    c = f.community(cast)
    client = Client()
    sign_in(client, cast.user_with(Role.GRID_HEAD, c.unit))
    f.log_item(c)
    data = client.get(reverse("grids:community_geojson", args=[c.unit.pk])).json()
    grids = {
        x["properties"]["code"]: x["properties"]
        for x in data["features"]
        if x["properties"]["role"] == "grid"
    }
    assert grids["G11"]["workers"] == [c.worker.full_name] and grids["G11"]["open_items"] == 1
    assert not [x for x in data["features"] if x["properties"]["role"] in ("gap", "overlap")]


def test_the_community_page_reads_in_a_bounded_number_of_queries(
    cast, django_assert_max_num_queries
):
    c = f.community(cast)
    client = Client()
    sign_in(client, cast.user_with(Role.GRID_HEAD, c.unit))
    client.get(reverse("grids:community_detail", args=[c.unit.pk]))
    with django_assert_max_num_queries(30):
        assert client.get(reverse("grids:community_detail", args=[c.unit.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("grids:community_geojson", args=[c.unit.pk])).status_code == 200


def test_the_notice_board_is_public_and_prints_without_personal_phones(cast):
    c = f.community(cast)
    c.unit.contact_phone = "0571-8700 1001"
    c.unit.save()
    page = Client().get(reverse("grids:notice_board", args=[c.grid.pk])).content.decode()
    assert "0571-8700 1001" in page and c.worker.full_name in page and "<svg" in page
    pdf = Client().get(reverse("grids:notice_board_pdf", args=[c.grid.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
