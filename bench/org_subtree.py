"""Benchmark: "everything under unit X" on a generated tree of 100,000 units.

Creates a realistic tree in the configured database (``DATABASE_URL``; SQLite under
``XINFANG_DATA_DIR`` by default): a province with cities, counties, townships, villages and
grids, plus departments with sub-units under every county. Then times the subtree query
(the median over repeats, rows fetched) for a county, a township and a village, and prints
the query plan so the index use is visible. The generated units are deleted afterwards
unless ``--keep`` is given. Run on demand, not in CI::

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/org_subtree.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/org_subtree.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from xinfang.org.models import Unit  # noqa: E402

# children per parent at each level: 1 province → cities → counties → townships → villages
# → grids; each county also has departments with sub-units.
SHAPE = [("city", 10), ("county", 10), ("township", 15), ("village", 10), ("grid", 5)]
DEPARTMENTS_PER_COUNTY, SUBUNITS_PER_DEPARTMENT = 30, 3


def build(target: int) -> tuple[int, int, dict[str, Unit]]:
    """Insert about ``target`` units with explicit ids; return the id range and samples."""
    start = (Unit.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    next_id = start
    rows: list[Unit] = []

    def add(name: str, level: str, parent: Unit | None) -> Unit:
        nonlocal next_id
        path = f"{parent.path if parent else ''}{next_id}/"
        unit = Unit(
            id=next_id,
            name=name,
            level=level,
            parent_id=parent.id if parent else None,
            path=path,
            depth=path.count("/") - 1,
            admin_code=str(next_id),
        )
        next_id += 1
        rows.append(unit)
        return unit

    layer = [add("基准省", "province", None)]
    for level, fanout in SHAPE:
        new_layer = []
        for parent in layer:
            for i in range(fanout):
                if len(rows) >= target:
                    break
                new_layer.append(add(f"{parent.name[:20]}-{level}{i}", level, parent))
        if level == "county":
            for county in new_layer:
                for d in range(DEPARTMENTS_PER_COUNTY):
                    dept = add(f"{county.name}-部门{d}", "department", county)
                    for s in range(SUBUNITS_PER_DEPARTMENT):
                        add(f"{dept.name}-科室{s}", "subunit", dept)
        layer = new_layer
    rows = rows[:target]
    with transaction.atomic():
        Unit.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Unit]):
                cursor.execute(sql)
            cursor.execute("ANALYZE org_unit")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    samples = {
        "county": next(u for u in rows if u.level == "county"),
        "township": next(u for u in rows if u.level == "township"),
        "village": next(u for u in rows if u.level == "village"),
    }
    return start, next_id - 1, samples


def time_query(unit: Unit, repeats: int) -> tuple[float, int]:
    timings = []
    count = 0
    for _ in range(repeats):
        began = time.perf_counter()
        count = len(list(Unit.objects.subtree(unit).values_list("id", "name", "path")))
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="leave the generated units")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    first, last, samples = build(args.units)
    print(
        f"{connection.vendor}: inserted {last - first + 1} units "
        f"in {time.perf_counter() - began:.1f} s (total now {Unit.objects.count()})"
    )
    try:
        for label, unit in samples.items():
            p50, count = time_query(unit, args.repeats)
            print(
                f"subtree of a {label:<8} ({count:>5} units): p50 {p50:.2f} ms over {args.repeats}"
            )
        print("plan:", Unit.objects.subtree(samples["county"]).explain())
    finally:
        if not args.keep:
            with transaction.atomic():
                # Children first: parent is PROTECT. Deepest paths go first.
                for depth in range(10, -1, -1):
                    Unit.objects.filter(id__gte=first, id__lte=last, depth=depth).delete()


if __name__ == "__main__":
    main()
