"""Placing addresses in grids by their location: one STRtree over the grid polygons.

Pure functions (no ORM). A point on the edge two grids share belongs to both by geometry;
it is given to the grid whose code sorts first, so the answer does not depend on the order
of the file. A point outside every grid gets no grid (the output leaves the code empty).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from xinfang.grids.errors import AddressImportRejected

__all__ = [
    "AddressRow",
    "GridIndex",
    "read_address_csv",
    "read_address_xlsx",
    "read_addresses",
    "write_assignment_csv",
]

NO_GRID = -1


class GridIndex:
    """The grids of one or more communities, ready to answer "which grid is this point in".

    An STRtree over the grid polygons is asked once which grids touch each cell of a fine
    raster over their extent (about 16 cells per grid); each point is then tested only
    against the grids of its cell, with the polygons prepared and the coordinates tested
    directly (``intersects_xy``), so no point geometry is ever built. The answer is the
    same as querying the tree with one point geometry per address, in about half its time
    (bench/grids_assign.py).
    """

    CELLS_PER_GRID = 16

    def __init__(self, grids: Iterable[tuple[str, BaseGeometry]]) -> None:
        ordered = sorted(grids, key=lambda pair: pair[0])
        self.codes: list[str] = [code for code, _ in ordered]
        self.geometries = np.array([geometry for _, geometry in ordered], dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        shapely.prepare(self.geometries)
        self._raster()

    def _raster(self) -> None:
        if not self.codes:
            self.side, self.cell_grids, self.cell_start = (
                0,
                np.zeros(0, np.intp),
                np.zeros(1, np.intp),
            )
            return
        lon0, lat0, lon1, lat1 = shapely.total_bounds(self.geometries)
        side = max(1, int((len(self.codes) * self.CELLS_PER_GRID) ** 0.5))
        self.origin = (lon0, lat0)
        self.step = ((lon1 - lon0) / side or 1.0, (lat1 - lat0) / side or 1.0)
        self.extent = (lon0, lat0, lon1, lat1)
        col, row = np.divmod(np.arange(side * side), side)
        cells = shapely.box(
            lon0 + col * self.step[0],
            lat0 + row * self.step[1],
            lon0 + (col + 1) * self.step[0],
            lat0 + (row + 1) * self.step[1],
        )
        cell, grid = self.tree.query(cells)
        order = np.lexsort((grid, cell))
        self.side = side
        self.cell_grids = grid[order]
        counts = np.bincount(cell[order], minlength=side * side)
        self.cell_start = np.concatenate([[0], np.cumsum(counts)])

    def __len__(self) -> int:
        return len(self.codes)

    def locate(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.intp]:
        """Index of the grid of each point (``NO_GRID`` outside every grid)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        result = np.full(len(lon), len(self.codes), dtype=np.intp)
        if self.side:
            lon0, lat0, lon1, lat1 = self.extent
            which = np.nonzero((lon >= lon0) & (lon <= lon1) & (lat >= lat0) & (lat <= lat1))[0]
            x, y = lon[which], lat[which]
            col = np.minimum(((x - lon0) / self.step[0]).astype(np.intp), self.side - 1)
            row = np.minimum(((y - lat0) / self.step[1]).astype(np.intp), self.side - 1)
            cell = col * self.side + row
            first = self.cell_start[cell]
            counts = self.cell_start[cell + 1] - first
            # One (point, candidate grid) pair per grid of the point's cell.
            point = np.repeat(np.arange(len(which)), counts)
            offset = np.arange(len(point)) - np.repeat(np.cumsum(counts) - counts, counts)
            grid = self.cell_grids[first[point] + offset]
            hit = shapely.intersects_xy(self.geometries[grid], x[point], y[point])
            # Several hits only on shared edges and overlaps: the lowest index is the first code.
            np.minimum.at(result, which[point[hit]], grid[hit])
        result[result == len(self.codes)] = NO_GRID
        return result

    def codes_of(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> list[str]:
        """The grid code of each point, "" outside every grid."""
        labels = np.array([*self.codes, ""], dtype=object)
        codes: list[str] = labels[self.locate(lon, lat)].tolist()  # NO_GRID (-1) picks ""
        return codes


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
        errors.append(f"第 {row} 行 {column}：不是数字（{value!r}）")
        return 0.0
    if not low <= number <= high:
        errors.append(f"第 {row} 行 {column}：超出范围 {low}–{high}({value})")
    return number


def parse_address_rows(rows: Iterable[dict[str, str]], *, start: int = 2) -> list[AddressRow]:
    """Validated rows (``id,lon,lat`` and optional ``label,households``); all errors at once."""
    errors: list[str] = []
    parsed: list[AddressRow] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=start):
        ident = (row.get("id") or "").strip()
        if not ident:
            errors.append(f"第 {number} 行 id：不能为空")
        elif ident in seen:
            errors.append(f"第 {number} 行 id：重复的编号 {ident}")
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
        raise AddressImportRejected([f"缺少列：{','.join(sorted(missing))}（应有 id,lon,lat）"])
    return parse_address_rows(reader)


def read_address_xlsx(stream: IO[bytes] | Any) -> list[AddressRow]:
    """The first sheet of an xlsx with the same columns as the CSV (header in row 1)."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(stream, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise AddressImportRejected([f"无法读取 xlsx 文件：{exc}"]) from exc
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip().lower() for c in next(rows, ())]
    missing = {"id", "lon", "lat"} - set(header)
    if missing:
        raise AddressImportRejected([f"缺少列：{','.join(sorted(missing))}（应有 id,lon,lat）"])
    return parse_address_rows(
        {k: "" if v is None else str(v) for k, v in zip(header, row, strict=False)} for row in rows
    )


def read_addresses(name: str, stream: IO[bytes] | Any) -> list[AddressRow]:
    """Addresses from an uploaded ``.xlsx`` or ``.csv`` (UTF-8, with or without BOM)."""
    if name.lower().endswith(".xlsx"):
        return read_address_xlsx(stream)
    import io

    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AddressImportRejected(["CSV 文件须为 UTF-8 编码"]) from exc
    return read_address_csv(io.StringIO(text))


def write_assignment_csv(stream: IO[str] | Any, ids: Sequence[str], codes: Sequence[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["id", "grid_code"])
    writer.writerows(zip(ids, codes, strict=True))
