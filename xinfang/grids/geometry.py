"""Community and grid boundaries: parsing, a local metric projection, and the tiling check.

Pure functions over shapely geometries (no ORM). The rule checked is the seed's
(哈办发〔2011〕14号): grids are drawn "横向到边、纵向到底,不留空白区域,不得交叉重叠" —
every point of the community lies in exactly one grid. So the check reports

* overlaps: the area two grids share (which grids, how much, where);
* gaps: the community minus the union of its grids, piece by piece, with the grids that
  border each piece (shapely's coverage validation finds overlaps and bad edges but not
  gaps, so the difference is computed explicitly);
* overreach: the part of a grid that lies outside the community (a grid "到边" ends at it).

Pieces smaller than the sliver tolerance (default 1 m²) are float noise from digitising
the same edge twice and are not reported.

Coordinates are WGS-84 longitude/latitude (GeoJSON, RFC 7946). Areas are measured in a
local metric projection: the Lambert azimuthal equal-area projection on the Gaussian
sphere of the WGS-84 ellipsoid at the community's centre. It preserves area exactly on
that sphere, and the sphere matches the ellipsoid to far better than 1 m² over a
community's few kilometres. Files exported from Chinese web maps are usually GCJ-02
("火星坐标"), offset by up to several hundred metres; they are converted to WGS-84 when
the collection says ``"coordinate_system": "GCJ-02"``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from xinfang.grids.errors import GeoJSONInvalid, GeometryInvalid

__all__ = [
    "DEFAULT_SLIVER_M2",
    "Boundary",
    "Fault",
    "LocalProjection",
    "Tiling",
    "TilingReport",
    "check_tiling",
    "gcj02_to_wgs84",
    "parse_tiling",
    "to_feature_collection",
    "validate_polygon",
]

DEFAULT_SLIVER_M2 = 1.0
# Set operations snap to a grid of 1e-8 degrees (about a millimetre) so that an edge shared
# by two grids, digitised twice with rounding noise, does not produce a fan of tiny pieces.
SNAP_DEG = 1e-8
# Pieces are measured after densifying to about 10 m, so the projected chords follow the
# longitude/latitude edges closely.
DENSIFY_DEG = 1e-4
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84 = "WGS-84"
GCJ02 = "GCJ-02"
COORDINATE_SYSTEMS = (WGS84, GCJ02)

Coords = NDArray[np.float64]


class LocalProjection:
    """Lambert azimuthal equal-area on the Gaussian sphere at (lon0, lat0); metres."""

    def __init__(self, lon0: float, lat0: float) -> None:
        e2 = WGS84_F * (2 - WGS84_F)
        phi0 = math.radians(lat0)
        s = math.sin(phi0)
        meridian = WGS84_A * (1 - e2) / (1 - e2 * s * s) ** 1.5
        normal = WGS84_A / math.sqrt(1 - e2 * s * s)
        self.radius = math.sqrt(meridian * normal)
        self.lon0 = math.radians(lon0)
        self.sin0 = s
        self.cos0 = math.cos(phi0)

    @classmethod
    def centred_on(cls, geometry: BaseGeometry) -> LocalProjection:
        lon0, lat0, lon1, lat1 = geometry.bounds
        return cls((lon0 + lon1) / 2, (lat0 + lat1) / 2)

    def forward_coords(self, coords: Coords) -> Coords:
        lam = np.radians(coords[:, 0]) - self.lon0
        phi = np.radians(coords[:, 1])
        cos_phi, sin_phi, cos_lam = np.cos(phi), np.sin(phi), np.cos(lam)
        k = np.sqrt(2 / (1 + self.sin0 * sin_phi + self.cos0 * cos_phi * cos_lam))
        x = self.radius * k * cos_phi * np.sin(lam)
        y = self.radius * k * (self.cos0 * sin_phi - self.sin0 * cos_phi * cos_lam)
        return np.column_stack([x, y])

    def inverse_coords(self, coords: Coords) -> Coords:
        x, y = coords[:, 0], coords[:, 1]
        rho = np.hypot(x, y)
        c = 2 * np.arcsin(np.clip(rho / (2 * self.radius), -1, 1))
        sin_c, cos_c = np.sin(c), np.cos(c)
        safe = np.where(rho == 0, 1, rho)
        phi = np.arcsin(cos_c * self.sin0 + np.where(rho == 0, 0, y * sin_c * self.cos0 / safe))
        lam = self.lon0 + np.arctan2(x * sin_c, rho * self.cos0 * cos_c - y * self.sin0 * sin_c)
        return np.column_stack([np.degrees(lam), np.degrees(phi)])

    def forward(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self.forward_coords)

    def inverse(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self.inverse_coords)

    def area_m2(self, geometry: BaseGeometry) -> float:
        return float(self.forward(shapely.segmentize(geometry, DENSIFY_DEG)).area)


# The published GCJ-02 obfuscation (the forward formula); WGS-84 is recovered by fixed-point
# iteration, which converges to centimetres in a few rounds inside China.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _gcj_delta(lon: Coords, lat: Coords) -> tuple[Coords, Coords]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad = np.radians(lat)
    magic = 1 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def gcj02_to_wgs84(coords: Coords) -> Coords:
    """WGS-84 coordinates of GCJ-02 ones (inverse of the forward offset by iteration)."""
    lon, lat = coords[:, 0].copy(), coords[:, 1].copy()
    for _ in range(6):
        dlon, dlat = _gcj_delta(lon, lat)
        lon = coords[:, 0] - dlon
        lat = coords[:, 1] - dlat
    return np.column_stack([lon, lat])


_VALIDITY = [
    ("Ring Self-intersection", "边界环自相交"),
    ("Self-intersection", "边界自相交"),
    ("Too few points", "顶点过少，不能构成多边形"),
    ("Hole lies outside shell", "内环位于外环之外"),
    ("Nested holes", "内环相互嵌套"),
    ("Interior is disconnected", "内部被内环分割为不连通的部分"),
    ("Nested shells", "多个外环相互嵌套"),
    ("Duplicate Rings", "存在重复的环"),
    ("Invalid Coordinate", "坐标无效"),
]
_WHERE = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")


def _validity_reason(geometry: BaseGeometry) -> str:
    explained = shapely.is_valid_reason(geometry)
    reason = next((zh for en, zh in _VALIDITY if explained.startswith(en)), "几何形状无效")
    where = _WHERE.search(explained)
    if where:
        reason += f"（位置 {float(where.group(1)):.6f}，{float(where.group(2)):.6f}）"
    return reason


def validate_polygon(geometry: BaseGeometry, label: str) -> BaseGeometry:
    """The geometry if it is a valid (multi)polygon, else ``GeometryInvalid`` naming it."""
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryInvalid(label, f"应为多边形，实为 {geometry.geom_type}")
    if geometry.is_empty:
        raise GeometryInvalid(label, "多边形为空")
    lon0, lat0, lon1, lat1 = geometry.bounds
    if not (-180 <= lon0 <= lon1 <= 180 and -90 <= lat0 <= lat1 <= 90):
        raise GeometryInvalid(label, "坐标超出经纬度范围（应为 WGS-84 经度、纬度）")
    if not geometry.is_valid:
        raise GeometryInvalid(label, _validity_reason(geometry))
    return geometry


@dataclass(frozen=True)
class Boundary:
    """One polygon of the file: the community (code "") or a grid with its code."""

    role: str
    code: str
    name: str
    geometry: BaseGeometry

    @property
    def label(self) -> str:
        if self.role == "community":
            return f"社区「{self.name}」" if self.name else "社区"
        return f"网格 {self.code}" + (f"「{self.name}」" if self.name else "")


@dataclass(frozen=True)
class Tiling:
    """A community boundary and its grids, WGS-84, each polygon validated."""

    community: Boundary
    grids: tuple[Boundary, ...]

    def grid(self, code: str) -> Boundary:
        return next(g for g in self.grids if g.code == code)


def _feature_geometry(feature: Mapping[str, Any], label: str, convert: bool) -> BaseGeometry:
    try:
        geometry = shape(feature["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise GeometryInvalid(label, f"无法读取几何：{exc}") from exc
    if convert:
        geometry = shapely.transform(geometry, gcj02_to_wgs84)
    return validate_polygon(geometry, label)


def parse_tiling(text: str) -> Tiling:
    """A ``Tiling`` from GeoJSON text: one feature ``"role": "community"``, grids with codes."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeoJSONInvalid(f"不是有效的 JSON：第 {exc.lineno} 行 {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoJSONInvalid("应为 GeoJSON FeatureCollection")
    system = data.get("coordinate_system", WGS84)
    if system not in COORDINATE_SYSTEMS:
        raise GeoJSONInvalid(f"不支持的坐标系 {system}：应为 {'或'.join(COORDINATE_SYSTEMS)}")
    features = data.get("features")
    if not isinstance(features, list):
        raise GeoJSONInvalid("缺少 features 列表")
    community: Boundary | None = None
    grids: list[Boundary] = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise GeoJSONInvalid(f"第 {number} 个要素缺少 properties")
        role, code = props.get("role"), str(props.get("code") or "").strip()
        name = str(props.get("name") or "").strip()
        if role == "community":
            if community is not None:
                raise GeoJSONInvalid("文件中只能有一个 role 为 community 的要素")
            label = f"社区「{name}」" if name else "社区"
            geometry = _feature_geometry(feature, label, system == GCJ02)
            community = Boundary("community", "", name, geometry)
        elif role == "grid":
            if not code:
                raise GeoJSONInvalid(f"第 {number} 个要素（网格）缺少 code")
            if any(g.code == code for g in grids):
                raise GeoJSONInvalid(f"网格编码 {code} 重复")
            boundary = Boundary("grid", code, name, shapely.Point())
            geometry = _feature_geometry(feature, boundary.label, system == GCJ02)
            grids.append(Boundary("grid", code, name, geometry))
        else:
            raise GeoJSONInvalid(f"第 {number} 个要素的 role 应为 community 或 grid")
    if community is None:
        raise GeoJSONInvalid("缺少 role 为 community 的社区边界")
    return Tiling(community, tuple(grids))


@dataclass(frozen=True)
class Fault:
    """A gap, an overlap or an overreach: the grids involved, its area and where it lies."""

    kind: str  # "gap" | "overlap" | "outside"
    codes: tuple[str, ...]
    area_m2: float
    where: tuple[float, float]  # a point inside it, WGS-84 lon/lat
    geometry: BaseGeometry = field(compare=False, repr=False)  # WGS-84

    LABELS = {"overlap": "重叠", "gap": "空白", "outside": "越界"}

    def line(self) -> str:
        codes = ",".join(self.codes) if self.codes else "-"
        lon, lat = self.where
        return (
            f"{self.LABELS[self.kind]} {codes} 面积 {self.area_m2:.2f} m² 位置 {lon:.6f},{lat:.6f}"
        )


@dataclass(frozen=True)
class TilingReport:
    """What the tiling check found; ``ok`` when there is nothing above the tolerance."""

    community_m2: float
    grid_m2: Mapping[str, float]
    faults: tuple[Fault, ...]
    tolerance_m2: float

    @property
    def ok(self) -> bool:
        return not self.faults

    def of_kind(self, kind: str) -> list[Fault]:
        return [f for f in self.faults if f.kind == kind]

    def lines(self) -> list[str]:
        return [f.line() for f in self.faults]


def _pieces(geometry: BaseGeometry) -> Iterable[BaseGeometry]:
    for part in shapely.get_parts(geometry):
        if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty:
            yield part
        elif part.geom_type == "GeometryCollection":
            yield from _pieces(part)


def check_tiling(tiling: Tiling, *, tolerance_m2: float = DEFAULT_SLIVER_M2) -> TilingReport:
    """Overlaps, gaps and overreach of ``tiling`` above ``tolerance_m2`` (m², local projection).

    The set operations run on the WGS-84 coordinates themselves, because GeoJSON edges are
    straight lines in longitude/latitude (RFC 7946 §3.1.1): a community edge drawn as one
    segment and the same edge drawn by two grids as two segments are the same line there,
    and only there. Each piece is then measured in the local projection.
    """
    projection = LocalProjection.centred_on(tiling.community.geometry)
    community = tiling.community.geometry
    codes = [g.code for g in tiling.grids]
    grids = [g.geometry for g in tiling.grids]
    faults: list[Fault] = []

    def pieces(geometry: BaseGeometry) -> Iterable[tuple[BaseGeometry, float]]:
        for piece in _pieces(geometry):
            area = projection.area_m2(piece)
            if area >= tolerance_m2:
                yield piece, area

    def fault(kind: str, involved: Iterable[str], piece: BaseGeometry, area: float) -> None:
        point = piece.representative_point()
        where = (round(point.x, 7), round(point.y, 7))
        faults.append(Fault(kind, tuple(sorted(involved)), area, where, piece))

    tree = shapely.STRtree(grids)
    left, right = tree.query(grids, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            shared = shapely.intersection(grids[i], grids[j], grid_size=SNAP_DEG)
            for piece, area in pieces(shared):
                fault("overlap", (codes[i], codes[j]), piece, area)
    covered = shapely.union_all(grids, grid_size=SNAP_DEG) if grids else shapely.Polygon()
    for piece, area in pieces(shapely.difference(community, covered, grid_size=SNAP_DEG)):
        touching = tree.query(piece, predicate="dwithin", distance=SNAP_DEG * 10)
        fault("gap", (codes[k] for k in touching.tolist()), piece, area)
    for code, grid in zip(codes, grids, strict=True):
        for piece, area in pieces(shapely.difference(grid, community, grid_size=SNAP_DEG)):
            fault("outside", (code,), piece, area)
    order = {"overlap": 0, "gap": 1, "outside": 2}
    faults.sort(key=lambda f: (order[f.kind], f.codes, -f.area_m2))
    return TilingReport(
        community_m2=projection.area_m2(community),
        grid_m2={code: projection.area_m2(g) for code, g in zip(codes, grids, strict=True)},
        faults=tuple(faults),
        tolerance_m2=tolerance_m2,
    )


def to_feature_collection(
    tiling: Tiling, *, extra: Callable[[Boundary], Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """GeoJSON (WGS-84) of a tiling, in the same shape ``parse_tiling`` reads."""
    features = []
    for boundary in (tiling.community, *tiling.grids):
        props: dict[str, Any] = {"role": boundary.role, "name": boundary.name}
        if boundary.role == "grid":
            props["code"] = boundary.code
        if extra is not None:
            props.update(extra(boundary))
        features.append(
            {"type": "Feature", "properties": props, "geometry": mapping(boundary.geometry)}
        )
    return {"type": "FeatureCollection", "coordinate_system": WGS84, "features": features}
