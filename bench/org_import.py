"""Benchmark: importing an organisation workbook of 5,000 units and 20,000 staff.

The goal (issue 18): the whole import in at most 60 s. Generates the workbook (a county
with townships, villages, grids and departments; four staff per unit, each with one or
two roles), then times in one run on the configured database (``DATABASE_URL``; give a
throw-away one, it is migrated first):

- baseline: the same rows for a tenth of the size written one by one through the audited
  services (``create_unit``, ``create_staff``, ``grant_role``), as an admin would by hand;
- the import itself (read, check, write, audit), and the same file again (no change).

Run on demand, never in CI::

    DATABASE_URL=sqlite:////tmp/bench-import.sqlite3 .venv/bin/python bench/org_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xf_bench .venv/bin/python bench/org_import.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from xinfang.core.workflow import SYSTEM  # noqa: E402
from xinfang.org import services  # noqa: E402
from xinfang.org.importing import import_workbook, workbook_bytes  # noqa: E402
from xinfang.org.models import RoleGrant, Unit, User  # noqa: E402

ROLES = ["承办人", "登记员", "单位负责人、承办人", "网格员"]


def rows(units: int, staff_per_unit: int, prefix: str) -> tuple[list[list[str]], list[list[str]]]:
    unit_rows = [[f"{prefix}0", "基准县", "县(区)", "", "", "否", "否"]]
    townships = max(1, units // 50)
    for t in range(townships):
        unit_rows.append(
            [f"{prefix}T{t}", f"乡镇{t}", "乡镇(街道)", f"{prefix}0", "乡镇", "否", "否"]
        )
    parent = 0
    while len(unit_rows) < units:
        n = len(unit_rows)
        level, up = (
            ("部门", f"{prefix}0")
            if n % 10 == 0
            else ("村(社区)", f"{prefix}T{parent % townships}")
        )
        unit_rows.append([f"{prefix}U{n}", f"单位{n}", level, up, "", "否", "否"])
        parent += 1
    staff_rows = []
    for index, unit in enumerate(unit_rows):
        for s in range(staff_per_unit):
            k = index * staff_per_unit + s
            phone = f"139{k:08d}" if k % 2 == 0 else ""
            staff_rows.append([f"{prefix.lower()}u{k}", f"人员{k}", phone, unit[0], ROLES[k % 4]])
    return unit_rows, staff_rows


def baseline(units: list[list[str]], staff: list[list[str]]) -> float:
    """One by one through the audited services, as typed into the admin."""
    from xinfang.org.importing import LEVELS
    from xinfang.org.importing import ROLES as ROLE_CODES

    started = time.perf_counter()
    with transaction.atomic():
        made: dict[str, Unit] = {}
        for code, name, level, parent, *_rest in units:
            made[code] = services.create_unit(
                actor=SYSTEM,
                name=name,
                level=LEVELS[level],
                parent=made.get(parent),
                admin_code=code,
            )
        for username, full_name, phone, unit_code, roles in staff:
            user = services.create_staff(
                actor=SYSTEM,
                username=username,
                password=None,
                full_name=full_name,
                unit=made[unit_code],
                phone=phone,
            )
            for role in roles.split("、"):
                services.grant_role(
                    actor=SYSTEM, user=user, role=ROLE_CODES[role], unit=made[unit_code]
                )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--staff-per-unit", type=int, default=4)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS  # unusable passwords: no hashing
    vendor = django.db.connection.vendor

    small_units, small_staff = rows(args.units // 10, args.staff_per_unit, "B")
    base = baseline(small_units, small_staff)
    base_rows = len(small_units) + len(small_staff)

    units, staff = rows(args.units, args.staff_per_unit, "K")
    started = time.perf_counter()
    data = workbook_bytes(units, staff)
    written = time.perf_counter() - started
    started = time.perf_counter()
    result = import_workbook(data, actor=SYSTEM)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = import_workbook(data, actor=SYSTEM)
    second = time.perf_counter() - started
    total_rows = len(units) + len(staff)
    print(f"database: {vendor}; workbook {len(data) / 1e6:.1f} MB written in {written:.1f} s")
    rate = base_rows / base
    print(f"baseline (services one by one): {base_rows} rows in {base:.1f} s = {rate:,.0f} rows/s")
    print(
        f"import: {len(units)} units + {len(staff)} staff ({RoleGrant.objects.count()} grants) "
        f"in {first:.1f} s = {total_rows / first:,.0f} rows/s "
        f"({(total_rows / first) / (base_rows / base):.1f}x the baseline); goal 60 s"
    )
    print(f"re-import of the same file: {second:.1f} s, {again.plan.changes} changes")
    print(f"activation links: {len(result.activations)}; accounts: {User.objects.count()}")


if __name__ == "__main__":
    main()
