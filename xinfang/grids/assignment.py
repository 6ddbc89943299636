"""Placing addresses in grids by their location: one STRtree over the grid polygons.

Pure functions (no ORM). A point on the edge two grids share belongs to both by geometry;
it is given to the grid whose code sorts first, so the answer does not depend on the order
of the file. A point outside every grid gets no grid (the output leaves the code empty).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from xinfang.grids.errors import AddressImportRejected

__all__ = ["AddressRow", "GridIndex", "read_address_csv", "write_assignment_csv"]

NO_GRID = -1


class GridIndex:
    """The grids of one or more communities, ready to answer "which grid is this point in"."""

    def __init__(self, grids: Iterable[tuple[str, BaseGeometry]]) -> None:
        ordered = sorted(grids, key=lambda pair: pair[0])
        self.codes: list[str] = [code for code, _ in ordered]
        self.geometries = np.array([geometry for _, geometry in ordered], dtype=object)
        self.tree = shapely.STRtree(self.geometries)

    def __len__(self) -> int:
        return len(self.codes)

    def locate(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.intp]:
        """Index of the grid of each point (``NO_GRID`` outside every grid)."""
        points = shapely.points(lon, lat)
        found, grid = self.tree.query(points, predicate="intersects")
        result = np.full(len(points), len(self.codes), dtype=np.intp)
        # Several hits only on shared edges and overlaps: the lowest index is the first code.
        np.minimum.at(result, found, grid)
        result[result == len(self.codes)] = NO_GRID
        return result

    def codes_of(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> list[str]:
        """The grid code of each point, "" outside every grid."""
        labels = np.array([*self.codes, ""], dtype=object)
        return labels[self.locate(lon, lat)].tolist()  # NO_GRID (-1) picks the last, ""


@dataclass(frozen=True)
class AddressRow:
    id: str
    lon: float
    lat: float
    label: str = ""
    households: int = 1


def _number(value: str, row: int, column: str, low: float, high: float, errors: list[str]) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(f"第 {row} 行 {column}:不是数字({value!r})")
        return 0.0
    if not low <= number <= high:
        errors.append(f"第 {row} 行 {column}:超出范围 {low}–{high}({value})")
    return number


def parse_address_rows(rows: Iterable[dict[str, str]], *, start: int = 2) -> list[AddressRow]:
    """Validated rows (``id,lon,lat`` and optional ``label,households``); all errors at once."""
    errors: list[str] = []
    parsed: list[AddressRow] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=start):
        ident = (row.get("id") or "").strip()
        if not ident:
            errors.append(f"第 {number} 行 id:不能为空")
        elif ident in seen:
            errors.append(f"第 {number} 行 id:重复的编号 {ident}")
        seen.add(ident)
        lon = _number(row.get("lon") or "", number, "lon", -180, 180, errors)
        lat = _number(row.get("lat") or "", number, "lat", -90, 90, errors)
        households = 1
        if (row.get("households") or "").strip():
            households = int(_number(row["households"], number, "households", 0, 10_000, errors))
        parsed.append(AddressRow(ident, lon, lat, (row.get("label") or "").strip(), households))
    if errors:
        raise AddressImportRejected(errors[:50])
    return parsed


def read_address_csv(stream: IO[str]) -> list[AddressRow]:
    reader = csv.DictReader(stream)
    missing = {"id", "lon", "lat"} - set(reader.fieldnames or ())
    if missing:
        raise AddressImportRejected([f"缺少列:{','.join(sorted(missing))}(应有 id,lon,lat)"])
    return parse_address_rows(reader)


def write_assignment_csv(stream: IO[str], ids: Sequence[str], codes: Sequence[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["id", "grid_code"])
    writer.writerows(zip(ids, codes, strict=True))
