"""A test community in Harbin: a 0.02° × 0.01° rectangle cut into a 2 × 2 grid of grids."""

from __future__ import annotations

import json
import math
from typing import Any

from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry

LON, LAT = 126.63, 45.75
DLON, DLAT = 0.01, 0.005
A, F = 6378137.0, 1 / 298.257223563
E = math.sqrt(F * (2 - F))


def _q(lat: float) -> float:
    s = math.sin(math.radians(lat))
    return s / (1 - E * E * s * s) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)


def rectangle_m2(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """The exact area on the WGS-84 ellipsoid of a longitude/latitude rectangle.

    Independent of the code's projection: b² Δλ / 2 · [q(φ)] between the two latitudes.
    """
    b = A * (1 - F)
    return b * b * math.radians(lon1 - lon0) / 2 * (_q(lat1) - _q(lat0))


def cell(col: int, row: int) -> tuple[float, float, float, float]:
    return (LON + col * DLON, LAT + row * DLAT, LON + (col + 1) * DLON, LAT + (row + 1) * DLAT)


def feature(role: str, geometry: BaseGeometry | dict[str, Any], code: str = "") -> dict[str, Any]:
    props: dict[str, Any] = {"role": role}
    if code:
        props["code"] = code
    geo = geometry if isinstance(geometry, dict) else mapping(geometry)
    return {"type": "Feature", "properties": props, "geometry": geo}


def grids(**replace: BaseGeometry | dict[str, Any]) -> dict[str, Any]:
    """The clean tiling, with some grids' polygons replaced (by code: G11, G12, G21, G22)."""
    features = [feature("community", box(LON, LAT, LON + 2 * DLON, LAT + 2 * DLAT))]
    for col in (0, 1):
        for row in (0, 1):
            code = f"G{col + 1}{row + 1}"
            features.append(feature("grid", replace.get(code, box(*cell(col, row))), code))
    return {"type": "FeatureCollection", "features": features}


def text(collection: dict[str, Any]) -> str:
    return json.dumps(collection)


# G11 reaches 0.0002° into G21 (its east neighbour): an overlap the height of the cell.
OVERLAP_BOX = box(LON, LAT, LON + DLON + 0.0002, LAT + DLAT)
# G22 stops 0.0005° short of the community's north edge: a gap along its top.
GAP_BOX = box(LON + DLON, LAT + DLAT, LON + 2 * DLON, LAT + 2 * DLAT - 0.0005)
BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[LON, LAT], [LON + DLON, LAT + DLAT], [LON + DLON, LAT], [LON, LAT + DLAT], [LON, LAT]]
    ],
}


def without(code: str) -> dict[str, Any]:
    """The clean tiling with one grid left out: its cell is a gap to draw on the map."""
    collection = grids()
    collection["features"] = [
        x for x in collection["features"] if x["properties"].get("code") != code
    ]
    return collection
