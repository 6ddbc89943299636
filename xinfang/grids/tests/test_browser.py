"""Grids in a real browser (Playwright on Debian's Chromium): a faulty tiling seen on the
map and in the report and then fixed; a patrol and a log item handed on to a unit, and the
day's meeting (当日清) closing the other item."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.grids.tests import shapes
from xinfang.org.choices import Role
from xinfang.shell.testing import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def _upload(page, tmp_path, name, collection):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(shapes.text(collection), encoding="utf-8")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('导入边界')")


def test_a_gap_and_an_overlap_show_on_the_map_and_in_the_report_until_fixed(page, cast, tmp_path):
    head = cast.user_with(Role.GRID_HEAD, cast.village_a, username="head-a")
    _login(page, head.username)
    page.goto(f"/grids/communities/{cast.village_a.pk}/")
    faulty = shapes.grids(G11=shapes.OVERLAP_BOX, G22=shapes.GAP_BOX)
    _upload(page, tmp_path, "faulty.geojson", faulty)
    page.wait_for_selector("text=有 2 处问题需修正")
    report = page.inner_text("#tiling-report")
    assert "重叠 G11,G21" in report and "空白 G12,G22" in report
    page.wait_for_selector("#grid-map[data-loaded]")
    assert page.locator("#grid-map path[data-role=overlap]").count() == 1
    assert page.locator("#grid-map path[data-role=gap]").count() == 1
    assert page.locator("#grid-map path[data-role=grid]").count() == 4

    _upload(page, tmp_path, "fixed.geojson", shapes.grids())
    page.wait_for_selector("text=无重叠、无空白、无越界")
    page.wait_for_selector("#grid-map[data-loaded]")
    assert (
        page.locator("#grid-map path[data-role=gap], #grid-map path[data-role=overlap]").count()
        == 0
    )


def test_record_a_patrol_and_a_log_item_and_hand_it_on_to_a_unit(page, cast, tmp_path):
    from xinfang.core.workflow import SYSTEM
    from xinfang.grids import services
    from xinfang.grids.geometry import parse_tiling

    services.import_tiling(
        actor=SYSTEM, community=cast.village_a, tiling=parse_tiling(shapes.text(shapes.grids()))
    )
    worker = cast.user_with(Role.GRID_WORKER, cast.village_a, username="worker-a")
    grid = cast.village_a.children.get(boundary__code="G11")
    today = timezone.localdate()
    _login(page, worker.username)
    page.goto("/grids/patrols/new/")
    page.select_option("select[name=grid]", str(grid.pk))
    page.fill("input[name=day]", today.isoformat())
    page.fill("input[name=started]", "09:00")
    page.fill("input[name=ended]", "11:30")
    page.fill("textarea[name=notes]", "走访3号楼")
    page.click("main button.primary")
    page.wait_for_selector("text=已登记巡查")
    assert "走访3号楼" in page.inner_text("main table")

    page.goto("/grids/log/new/")
    page.select_option("select[name=grid]", str(grid.pk))
    page.select_option("select[name=topic]", "safety")
    page.fill("textarea[name=summary]", "小区东门路面塌陷")
    page.click("main button.primary")
    page.wait_for_selector("text=已记入民情日志")
    page.select_option("#hand-on select[name=hand-unit]", str(cast.department.pk))
    page.fill("#hand-on input[name=hand-deadline]", (today + timedelta(days=5)).isoformat())
    page.click("#hand-on button")
    page.wait_for_selector(f"text=已转交{cast.department.name}")
    assert page.inner_text("#item-status") == "已转交单位"

    # 当日清: the meeting disposes of the day's other item; the handed one is carried over.
    services.record_log_item(actor=worker, grid=grid, topic="livelihood", summary="楼道灯不亮")
    page.goto(f"/grids/communities/{cast.village_a.pk}/")
    page.click("#meeting-link")
    assert "小区东门路面塌陷" in page.inner_text("#carried")
    page.click("#meeting-submit")
    page.wait_for_selector("text=尚未议定处理方式")
    row = page.locator("#meeting-form tr", has_text="楼道灯不亮")
    row.locator("select[name$=-step]").select_option("resolve")
    row.locator("textarea[name$=-result]").fill("物业已更换灯泡")
    row.locator("input[name$=-returned]").check()
    page.click("#meeting-submit")
    page.wait_for_selector("text=已登记今天的当日清会议")
    record = page.inner_text("#meeting-record")
    assert "楼道灯不亮" in record and "会上办结" in record
    assert "小区东门路面塌陷" in record and "转交在办" in record


def test_the_boundaries_are_edited_on_the_map_and_saved_through_the_same_check(
    page, cast, tmp_path
):
    from xinfang.core.workflow import SYSTEM
    from xinfang.grids import services
    from xinfang.grids.geometry import parse_tiling
    from xinfang.grids.models import Boundary

    faulty = shapes.grids(G22=shapes.GAP_BOX)
    services.import_tiling(
        actor=SYSTEM, community=cast.village_a, tiling=parse_tiling(shapes.text(faulty))
    )
    head = cast.user_with(Role.GRID_HEAD, cast.village_a, username="head-a")
    _login(page, head.username)
    page.goto(f"/grids/communities/{cast.village_a.pk}/")
    page.wait_for_selector("#grid-map[data-loaded]")
    assert page.locator("#grid-map path[data-role=gap]").count() == 1
    page.click("#map-edit")
    assert page.locator("#grid-map .leaflet-editing-icon").count() >= 20  # 5 polygons' vertices
    assert page.locator("#grid-map path[data-role=gap]").count() == 0
    page.click("#map-save")
    page.wait_for_selector("text=有 1 处问题需修正")  # saved unchanged: the gap is still there
    assert "空白 G12,G22" in page.inner_text("#tiling-report")
    assert Boundary.objects.filter(unit__parent=cast.village_a).count() == 4


def test_a_new_grid_is_drawn_on_the_map_saved_and_the_report_updates(page, cast):
    from xinfang.core.workflow import SYSTEM
    from xinfang.grids import services
    from xinfang.grids.geometry import parse_tiling

    services.import_tiling(
        actor=SYSTEM,
        community=cast.village_a,
        tiling=parse_tiling(shapes.text(shapes.without("G22"))),
    )
    head = cast.user_with(Role.GRID_HEAD, cast.village_a, username="head-a")
    _login(page, head.username)
    page.goto(f"/grids/communities/{cast.village_a.pk}/")
    page.wait_for_selector("#grid-map[data-loaded]")
    assert "空白 G11,G12,G21" in page.inner_text("#tiling-report")
    assert page.locator("#grid-map path[data-role=grid]").count() == 3

    # G22's cell, clicked a few pixels inside each corner: the points snap to the corners.
    lon0, lat0, lon1, lat1 = shapes.cell(1, 1)
    corners = [(lat0, lon0), (lat0, lon1), (lat1, lon1), (lat1, lon0)]
    points = page.evaluate(
        """(corners) => {
            const map = document.getElementById("grid-map").leafletMap;
            return corners.map(([lat, lng]) => map.latLngToContainerPoint([lat, lng]));
        }""",
        corners,
    )
    inward = [(3, -3), (-3, -3), (-3, 3), (3, 3)]
    page.click("#map-draw")
    page.locator("#grid-map").scroll_into_view_if_needed()
    origin = page.locator("#grid-map").bounding_box()
    clicks = [
        (origin["x"] + p["x"] + dx, origin["y"] + p["y"] + dy)
        for p, (dx, dy) in zip(points, inward, strict=True)
    ]
    for x, y in [*clicks, clicks[0]]:
        page.mouse.click(x, y)
        # Leaflet.draw ignores a click within 50 ms of the last point (its double-click
        # guard); a person never clicks that fast, a script does.
        page.wait_for_timeout(120)
    page.wait_for_selector("#map-draw-form:not([hidden])")
    assert page.locator("#grid-map path[data-role=drawn]").count() == 1
    page.fill("#map-draw-form input[name=code]", "G22")
    page.fill("#map-draw-form input[name=name]", "甲村东北网格")
    page.click("#draw-save")
    page.wait_for_selector("text=已保存网格 G22：无重叠、无空白、无越界")
    assert "网格划分完整" in page.inner_text("#tiling-report")
    page.wait_for_selector("#grid-map[data-loaded]")
    assert page.locator("#grid-map path[data-role=grid]").count() == 4
    assert "甲村东北网格" in page.inner_text("#staffing")


def test_moving_a_shared_vertex_on_the_map_moves_it_in_every_grid_that_shares_it(page, cast):
    from shapely.geometry import shape

    from xinfang.core.workflow import SYSTEM
    from xinfang.grids import services
    from xinfang.grids.geometry import parse_tiling
    from xinfang.grids.models import Boundary

    services.import_tiling(
        actor=SYSTEM, community=cast.village_a, tiling=parse_tiling(shapes.text(shapes.grids()))
    )
    head = cast.user_with(Role.GRID_HEAD, cast.village_a, username="head-a")
    _login(page, head.username)
    page.goto(f"/grids/communities/{cast.village_a.pk}/")
    page.wait_for_selector("#grid-map[data-loaded]")
    page.click("#map-edit")
    page.locator("#grid-map").scroll_into_view_if_needed()
    centre = page.evaluate(
        """([lat, lng]) => document.getElementById("grid-map").leafletMap
            .latLngToContainerPoint([lat, lng])""",
        [shapes.LAT + shapes.DLAT, shapes.LON + shapes.DLON],
    )
    origin = page.locator("#grid-map").bounding_box()
    x, y = origin["x"] + centre["x"], origin["y"] + centre["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y - 20, steps=6)
    page.mouse.up()
    page.click("#map-save")
    # The four grids meeting at the centre all moved their corner: still a clean tiling.
    page.wait_for_selector("text=已导入 4 个网格：无重叠、无空白、无越界")
    corners = [
        {(round(lon, 9), round(lat, 9)) for lon, lat in shape(b.geometry).exterior.coords}
        for b in Boundary.objects.filter(unit__parent=cast.village_a).order_by("code")
    ]
    shared = set.intersection(*corners)
    assert len(shared) == 1
    (lon, lat), centre_lonlat = shared.pop(), (shapes.LON + shapes.DLON, shapes.LAT + shapes.DLAT)
    assert lon > centre_lonlat[0] and lat > centre_lonlat[1]
