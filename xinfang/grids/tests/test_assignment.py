import io

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from xinfang.grids.assignment import NO_GRID, GridIndex, read_address_csv
from xinfang.grids.errors import AddressImportRejected
from xinfang.grids.geometry import parse_tiling
from xinfang.grids.tests import shapes
from xinfang.grids.tests.shapes import DLAT, DLON, LAT, LON

TILING = parse_tiling(shapes.text(shapes.grids()))
INDEX = GridIndex((g.code, g.geometry) for g in TILING.grids)


def test_a_point_is_placed_in_the_grid_that_contains_it():
    assert INDEX.codes_of(np.array([LON + 0.001]), np.array([LAT + DLAT + 0.001])) == ["G12"]


def test_a_point_on_a_shared_edge_goes_to_the_first_code_whatever_the_order():
    reversed_index = GridIndex((g.code, g.geometry) for g in reversed(TILING.grids))
    edge = (np.array([LON + DLON]), np.array([LAT + 0.001]))
    assert INDEX.codes_of(*edge) == reversed_index.codes_of(*edge) == ["G11"]


def test_a_point_outside_every_grid_has_no_grid():
    assert INDEX.codes_of(np.array([LON - 0.1, np.nan]), np.array([LAT, LAT])) == ["", ""]


def test_no_grids_place_no_point():
    assert GridIndex([]).codes_of(np.array([LON]), np.array([LAT])) == [""]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-0.005, 0.025), st.floats(-0.005, 0.015)), max_size=50))
def test_the_raster_answers_as_a_query_of_the_tree_with_each_point(offsets):
    # Grids that do not tile (one overlaps, one is a ring with a hole), to test every case.
    grids = [
        ("A", box(LON, LAT, LON + 0.012, LAT + 0.006)),
        ("B", box(LON + 0.01, LAT, LON + 0.02, LAT + 0.01)),
    ]
    grids.append(
        (
            "C",
            box(LON, LAT + 0.004, LON + 0.01, LAT + 0.01).difference(
                box(LON + 0.004, LAT + 0.006, LON + 0.006, LAT + 0.008)
            ),
        )
    )
    index = GridIndex(grids)
    lon = np.array([LON + dx for dx, _ in offsets], dtype=float)
    lat = np.array([LAT + dy for _, dy in offsets], dtype=float)
    expected = np.full(len(lon), NO_GRID)
    tree = shapely.STRtree([g for _, g in grids])
    found, grid = tree.query(shapely.points(lon, lat), predicate="intersects")
    for f, g in sorted(zip(found.tolist(), grid.tolist(), strict=True), reverse=True):
        expected[f] = g
    assert index.locate(lon, lat).tolist() == expected.tolist()


def test_an_address_file_reports_every_bad_row_at_once():
    text = "id,lon,lat,households\n1,126.6,45.7,3\n1,x,45.7,\n,200,45.7,\n"
    with pytest.raises(AddressImportRejected) as caught:
        read_address_csv(io.StringIO(text))
    assert caught.value.errors == [
        "第 3 行 id：重复的编号 1",
        "第 3 行 lon：不是数字（'x'）",
        "第 4 行 id：不能为空",
        "第 4 行 lon：超出范围 -180–180(200)",
    ]


def test_an_address_file_gives_households_and_labels():
    rows = read_address_csv(io.StringIO("id,lon,lat,label,households\na,126.6,45.7,东街1号,12\n"))
    assert rows[0].households == 12 and rows[0].label == "东街1号"
