"""Benchmark: placing 1,000,000 addresses in 2,000 grids, against a bare STRtree query.

Pure geometry, no database. The grids tile a city-sized area (50 × 40 cells, each edge
densified to about 20 vertices and jittered so that neighbours share the jittered edge,
like digitised boundaries); the addresses are uniform random points over it, a few outside.

* baseline: ``shapely.STRtree(grids).query(points, predicate="intersects")`` — the tree
  built and queried, the points already built: the bare shapely call;
* ours: ``GridIndex(grids).codes_of(lon, lat)`` — building the points from the coordinate
  arrays, the same query, one grid per point (the first code on a shared edge) and the
  code of each point as text: what ``xinfang grids assign`` does between reading and writing.

Prints the median of ``--repeat`` runs of each and the ratio (target: within 1.5×)::

    /work/main/.venv/bin/python bench/grids_assign.py [--points 1000000] [--grids 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinfang.grids.assignment import GridIndex

LON0, LAT0 = 126.55, 45.70
CELL_LON, CELL_LAT = 0.004, 0.003  # about 310 m × 330 m in Harbin


def make_grids(count: int, rng: np.random.Generator) -> list[tuple[str, shapely.Polygon]]:
    cols = round((count * 5 / 4) ** 0.5)
    rows = count // cols
    steps = 5  # vertices per cell edge
    # Jittered lattice of vertex positions: shared by neighbouring cells, so they tile.
    nx, ny = cols * steps + 1, rows * steps + 1
    xs = LON0 + np.arange(nx) * CELL_LON / steps
    ys = LAT0 + np.arange(ny) * CELL_LAT / steps
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    jitter = 0.15 * CELL_LON / steps
    gx[1:-1, 1:-1] += rng.uniform(-jitter, jitter, (nx - 2, ny - 2))
    gy[1:-1, 1:-1] += rng.uniform(-jitter, jitter, (nx - 2, ny - 2))
    grids = []
    for c in range(cols):
        for r in range(rows):
            i0, j0 = c * steps, r * steps
            ring = (
                [(i0 + k, j0) for k in range(steps)]
                + [(i0 + steps, j0 + k) for k in range(steps)]
                + [(i0 + steps - k, j0 + steps) for k in range(steps)]
                + [(i0, j0 + steps - k) for k in range(steps)]
            )
            coords = [(gx[i, j], gy[i, j]) for i, j in ring]
            grids.append((f"G{c:03d}{r:03d}", shapely.Polygon(coords)))
    return grids[:count]


def median_time(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(14)
    grids = make_grids(args.grids, rng)
    polygons = np.array([g for _, g in grids], dtype=object)
    lon0, lat0, lon1, lat1 = shapely.total_bounds(polygons)
    margin = 0.002
    lon = rng.uniform(lon0 - margin, lon1 + margin, args.points)
    lat = rng.uniform(lat0 - margin, lat1 + margin, args.points)
    points = shapely.points(lon, lat)

    def bare() -> None:
        shapely.STRtree(polygons).query(points, predicate="intersects")

    def ours() -> None:
        GridIndex(grids).codes_of(lon, lat)

    codes = GridIndex(grids).codes_of(lon, lat)
    placed = sum(1 for c in codes if c)
    baseline = median_time(bare, args.repeat)
    measured = median_time(ours, args.repeat)
    print(f"grids: {len(grids)} polygons, {sum(len(g.exterior.coords) for _, g in grids)} vertices")
    print(f"addresses: {args.points} points, {placed} inside a grid")
    print(f"bare STRtree query: {baseline:.3f} s (median of {args.repeat})")
    print(f"GridIndex.codes_of: {measured:.3f} s (median of {args.repeat})")
    print(f"ratio: {measured / baseline:.2f}× (target ≤ 1.5×)")


if __name__ == "__main__":
    main()
