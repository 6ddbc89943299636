import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from xinfang.grids.errors import GeoJSONInvalid, GeometryInvalid
from xinfang.grids.geometry import (
    LocalProjection,
    check_tiling,
    gcj02_to_wgs84,
    parse_tiling,
    to_feature_collection,
)
from xinfang.grids.tests import shapes
from xinfang.grids.tests.shapes import DLAT, DLON, LAT, LON


def test_a_clean_tiling_has_no_fault_and_the_areas_add_up():
    report = check_tiling(parse_tiling(shapes.text(shapes.grids())))
    assert report.ok and report.lines() == []
    expected = shapes.rectangle_m2(LON, LAT, LON + 2 * DLON, LAT + 2 * DLAT)
    assert report.community_m2 == pytest.approx(expected, rel=1e-3)
    assert sum(report.grid_m2.values()) == pytest.approx(report.community_m2, rel=1e-9)


def test_an_overlap_names_both_grids_with_its_area_in_square_metres():
    report = check_tiling(parse_tiling(shapes.text(shapes.grids(G11=shapes.OVERLAP_BOX))))
    (overlap,) = report.of_kind("overlap")
    assert overlap.codes == ("G11", "G21")
    expected = shapes.rectangle_m2(LON + DLON, LAT, LON + DLON + 0.0002, LAT + DLAT)
    assert overlap.area_m2 == pytest.approx(expected, rel=1e-3)
    lon, lat = overlap.where
    assert LON + DLON < lon < LON + DLON + 0.0002 and LAT < lat < LAT + DLAT
    assert not report.ok


def test_a_gap_is_the_community_minus_the_union_of_grids_with_its_neighbours():
    report = check_tiling(parse_tiling(shapes.text(shapes.grids(G22=shapes.GAP_BOX))))
    (gap,) = report.of_kind("gap")
    assert gap.codes == ("G12", "G22")
    expected = shapes.rectangle_m2(
        LON + DLON, LAT + 2 * DLAT - 0.0005, LON + 2 * DLON, LAT + 2 * DLAT
    )
    assert gap.area_m2 == pytest.approx(expected, rel=1e-3)
    assert gap.line().startswith("空白 G12,G22 面积 ")


def test_a_piece_below_the_sliver_tolerance_is_not_a_fault():
    # A spike of 1e-5° (under a metre) into the neighbour: about 0.4 m² of overlap.
    east, spike = LON + DLON, LAT + 0.001
    sliver = Polygon(
        [
            (LON, LAT),
            (east, LAT),
            (east, spike),
            (east + 1e-5, spike + 5e-6),
            (east, spike + 1e-5),
            (east, LAT + DLAT),
            (LON, LAT + DLAT),
        ]
    )
    report = check_tiling(parse_tiling(shapes.text(shapes.grids(G11=sliver))))
    assert report.ok
    strict = check_tiling(parse_tiling(shapes.text(shapes.grids(G11=sliver))), tolerance_m2=0.1)
    assert [f.codes for f in strict.of_kind("overlap")] == [("G11", "G21")]


def test_a_grid_beyond_the_community_edge_is_reported_as_overreach():
    beyond = box(LON - 0.001, LAT, LON + DLON, LAT + DLAT)
    report = check_tiling(parse_tiling(shapes.text(shapes.grids(G11=beyond))))
    (outside,) = report.of_kind("outside")
    assert outside.codes == ("G11",)
    assert outside.area_m2 == pytest.approx(
        shapes.rectangle_m2(LON - 0.001, LAT, LON, LAT + DLAT), rel=1e-3
    )


def test_a_self_intersecting_grid_is_refused_naming_the_grid():
    with pytest.raises(GeometryInvalid, match="网格 G12的边界无效：边界自相交"):
        parse_tiling(shapes.text(shapes.grids(G12=shapes.BOWTIE)))


def test_a_point_instead_of_a_polygon_is_refused_naming_the_grid():
    point = {"type": "Point", "coordinates": [LON, LAT]}
    with pytest.raises(GeometryInvalid, match=r"网格 G21.*应为多边形"):
        parse_tiling(shapes.text(shapes.grids(G21=point)))


def test_projected_coordinates_outside_longitude_latitude_are_refused():
    far = box(500000, 5000000, 501000, 5001000)
    with pytest.raises(GeometryInvalid, match="WGS-84"):
        parse_tiling(shapes.text(shapes.grids(G11=far)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["features"].pop(0), "缺少 role 为 community"),
        (lambda c: c["features"][2]["properties"].update(code="G11"), "网格编码 G11 重复"),
        (lambda c: c["features"][1]["properties"].pop("code"), "缺少 code"),
        (lambda c: c["features"][1]["properties"].update(role="x"), "role 应为"),
        (lambda c: c.update(coordinate_system="EPSG:3857"), "不支持的坐标系"),
    ],
)
def test_a_file_that_is_not_one_community_and_its_coded_grids_is_refused(change, message):
    collection = shapes.grids()
    change(collection)
    with pytest.raises(GeoJSONInvalid, match=message):
        parse_tiling(shapes.text(collection))


def test_export_reads_back_as_the_same_tiling():
    tiling = parse_tiling(shapes.text(shapes.grids()))
    again = parse_tiling(shapes.text(to_feature_collection(tiling)))
    assert [g.code for g in again.grids] == [g.code for g in tiling.grids]
    assert all(
        a.geometry.equals(b.geometry) for a, b in zip(again.grids, tiling.grids, strict=True)
    )


def test_gcj02_coordinates_are_converted_back_to_wgs84():
    # A point of Harbin's Central Street: WGS-84 and its published GCJ-02 offset.
    wgs = np.array([[126.6150, 45.7750]])
    from xinfang.grids.geometry import _gcj_delta

    dlon, dlat = _gcj_delta(wgs[:, 0], wgs[:, 1])
    gcj = wgs + np.column_stack([dlon, dlat])
    assert np.abs(gcj - wgs).max() > 1e-3  # hundreds of metres apart
    assert np.abs(gcj02_to_wgs84(gcj) - wgs).max() < 1e-7


@given(st.floats(min_value=-0.05, max_value=0.05), st.floats(min_value=-0.05, max_value=0.05))
def test_the_local_projection_inverts_exactly(dlon, dlat):
    projection = LocalProjection(LON, LAT)
    point = np.array([[LON + dlon, LAT + dlat]])
    back = projection.inverse_coords(projection.forward_coords(point))
    assert np.abs(back - point).max() < 1e-9
