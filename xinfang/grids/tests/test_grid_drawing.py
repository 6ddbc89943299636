"""A grid drawn on the community map is saved through the same check as an imported file."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from shapely.geometry import box, mapping

from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.models import AuditEntry
from xinfang.core.workflow import SYSTEM
from xinfang.grids import services
from xinfang.grids.errors import GeometryInvalid, GridsError
from xinfang.grids.geometry import parse_tiling
from xinfang.grids.models import Boundary
from xinfang.grids.tests import shapes
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit
from xinfang.shell.testing import sign_in

G22_CELL = mapping(box(*shapes.cell(1, 1)))


def _three_grids(cast):  # type: ignore[no-untyped-def]
    """甲村 with G11, G12 and G21 only: G22's cell is a gap."""
    report = services.import_tiling(
        actor=SYSTEM,
        community=cast.village_a,
        tiling=parse_tiling(shapes.text(shapes.without("G22"))),
    )
    assert [f.kind for f in report.faults] == ["gap"]
    return cast.user_with(Role.GRID_HEAD, cast.village_a)


def test_a_drawn_grid_becomes_a_new_grid_unit_of_the_community_and_closes_the_gap(cast):
    head = _three_grids(cast)
    report = services.draw_grid(
        actor=head, community=cast.village_a, code="G22", name="甲村东北网格", geometry=G22_CELL
    )
    assert report.ok
    grid = Unit.objects.get(parent=cast.village_a, name="甲村东北网格")
    assert grid.level == UnitLevel.GRID and grid.boundary.code == "G22"
    assert grid.boundary.area_m2 == pytest.approx(shapes.rectangle_m2(*shapes.cell(1, 1)), 1e-3)
    entry = AuditEntry.objects.filter(object_type="org.unit", object_id=str(cast.village_a.pk))
    assert entry.order_by("-seq").first().detail["drawn_on_map"] == "G22"


def test_a_drawn_shape_may_go_to_an_existing_grid_without_a_boundary(cast):
    head = _three_grids(cast)
    waiting = Unit.objects.create(name="甲村四组网格", level=UnitLevel.GRID, parent=cast.village_a)
    services.draw_grid(
        actor=head, community=cast.village_a, code="G22", grid=waiting, geometry=G22_CELL
    )
    assert Boundary.objects.get(unit=waiting).code == "G22"
    assert Unit.objects.filter(parent=cast.village_a, level=UnitLevel.GRID).count() == 4
    with pytest.raises(GridsError, match="已有边界"):
        services.draw_grid(
            actor=head, community=cast.village_a, code="G23", grid=waiting, geometry=G22_CELL
        )


def test_an_invalid_drawn_polygon_is_refused_naming_the_grid_and_nothing_is_stored(cast):
    head = _three_grids(cast)
    with pytest.raises(GeometryInvalid, match="网格 G22「甲村东北网格」的边界无效：边界自相交"):
        services.draw_grid(
            actor=head,
            community=cast.village_a,
            code="G22",
            name="甲村东北网格",
            geometry=shapes.BOWTIE,
        )
    assert not Unit.objects.filter(name="甲村东北网格").exists()


def test_a_drawn_grid_that_overlaps_a_neighbour_is_stored_and_the_overlap_reported(cast):
    head = _three_grids(cast)
    lon0, lat0, lon1, lat1 = shapes.cell(1, 1)
    report = services.draw_grid(
        actor=head,
        community=cast.village_a,
        code="G22",
        geometry=mapping(box(lon0 - 0.0002, lat0, lon1, lat1)),
    )
    assert [(f.kind, f.codes) for f in report.faults] == [("overlap", ("G12", "G22"))]
    assert Boundary.objects.filter(code="G22", unit__parent=cast.village_a).exists()


def test_a_drawn_grid_needs_a_free_code_and_the_communitys_outline(cast):
    head = _three_grids(cast)
    with pytest.raises(GridsError, match="网格编码 G11 已被"):
        services.draw_grid(actor=head, community=cast.village_a, code="G11", geometry=G22_CELL)
    bare = Unit.objects.create(name="乙村", level=UnitLevel.VILLAGE, parent=cast.unit_b)
    with pytest.raises(GridsError, match="请先导入社区边界"):
        services.draw_grid(
            actor=cast.user_with(Role.GRID_HEAD, bare),
            community=bare,
            code="G1",
            geometry=G22_CELL,
        )


def test_only_staff_holding_grid_editing_over_the_community_may_draw(cast):
    _three_grids(cast)
    outsider = cast.user_with(Role.HANDLER, cast.village_a)
    with pytest.raises(NotFoundOrForbidden):
        services.draw_grid(actor=outsider, community=cast.village_a, code="G22", geometry=G22_CELL)


def test_the_draw_form_saves_the_grid_and_says_what_the_check_found(cast):
    head = _three_grids(cast)
    client = Client()
    sign_in(client, head)
    url = reverse("grids:grid_draw", args=[cast.village_a.pk])
    page = client.post(
        url,
        {"code": "G22", "name": "", "geometry": '{"type": "Polygon", "coordinates": [[[0,0]]]}'},
        follow=True,
    ).content.decode()
    assert "网格 G22「甲村G22网格」的边界无效" in page
    page = client.post(
        url, {"code": "G22", "geometry": json.dumps(G22_CELL)}, follow=True
    ).content.decode()
    assert "已保存网格 G22：无重叠、无空白、无越界" in page
    assert Unit.objects.filter(parent=cast.village_a, name="甲村G22网格").exists()
