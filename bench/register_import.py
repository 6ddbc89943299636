"""Benchmark: importing the backlog from the general register (issue 18, item 2).

Generates a county (townships, departments, their staff) and a register of ``--rows``
matters in every state the register carries (registered, routed, accepted, in handling,
answered, closed, not accepted; one in fifty the same petitioner and summary as an earlier
one, so the same-matter check has something to flag), then times in one run on the
configured database (``DATABASE_URL``; give a throw-away one, it is migrated first):

- baseline: the same kind of rows, a tenth as many, entered one by one through the
  services as the office would by hand (the registrar registers, the handler accepts, the
  leader answers…, each step with its real date);
- writing the register xlsx (the platform's export writer) and the import itself (read,
  check, every matter through the real steps, one transaction).

After the import the audit chain is verified (``verify_chain``, timed apart).

Run on demand, never in CI::

    DATABASE_URL=sqlite:////tmp/bench-register.sqlite3 .venv/bin/python -m bench.register_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xf_bench .venv/bin/python \\
        -m bench.register_import --rows 10000

On a shared machine, generate under a shared lock and time under an exclusive one::

    flock -s /tmp/xf-load.lock python -m bench.register_import --rows 20000 --phase prepare
    flock -x /tmp/xf-load.lock python -m bench.register_import --rows 20000 --phase time
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from xinfang.core.audit import verify_chain  # noqa: E402
from xinfang.documents.register import COLUMNS, write_register  # noqa: E402
from xinfang.documents.register_import import import_register  # noqa: E402
from xinfang.org.choices import Role, UnitLevel  # noqa: E402
from xinfang.org.models import RoleGrant, Unit, User  # noqa: E402
from xinfang.petitions.choices import Outcome, Status  # noqa: E402
from xinfang.petitions.models import Petition, SameMatterCandidate  # noqa: E402
from xinfang.petitions.services import PetitionerData, register_petition  # noqa: E402
from xinfang.petitions.workflow import transition  # noqa: E402

STATES = [  # (label, share in tenths of a percent)
    ("已登记", 100),
    ("已转送/交办", 100),
    ("已受理", 150),
    ("办理中", 150),
    ("已答复", 200),
    ("已办结", 250),
    ("不予受理", 50),
]
TOPICS = [
    "供水管网老化经常停水",
    "村道破损影响出行",
    "工地夜间施工噪音扰民",
    "用人单位拖欠工资",
    "土地征收补偿标准",
    "低保申请未获批准",
    "邻居违章搭建",
    "垃圾清运不及时",
    "物业费收取不合理",
    "医保报销比例",
    "子女入学安排",
    "养老保险转移接续",
    "房屋屋顶漏水",
    "小区排水不畅",
    "路灯长期不亮",
    "广场舞音响过大",
    "菜市场占道经营",
    "电梯多次故障",
    "燃气管道安全隐患",
    "河道污水直排",
]
DETAILS = [
    "多次反映未解决",
    "请求尽快处理",
    "要求依法答复",
    "希望有关部门核实",
    "已持续半年",
    "影响老人出行",
    "请求给予说明",
]
TOWNSHIPS = 20
DEPARTMENTS = 10
START = date(2025, 1, 6)


def _user(username: str, role: str, unit: Unit) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"full_name": username, "unit": unit}
    )
    RoleGrant.objects.get_or_create(user=user, role=role, unit=unit)
    return user


def organisation(prefix: str) -> dict[str, Any]:
    county = Unit.objects.create(
        name=f"{prefix}县", level=UnitLevel.COUNTY, admin_code=f"{prefix}9901"
    )
    units = [
        Unit.objects.create(name=f"{prefix}镇{i}", level=UnitLevel.TOWNSHIP, parent=county)
        for i in range(TOWNSHIPS)
    ] + [
        Unit.objects.create(name=f"{prefix}局{i}", level=UnitLevel.DEPARTMENT, parent=county)
        for i in range(DEPARTMENTS)
    ]
    staff = {}
    for unit in [county, *units]:
        staff[unit.pk] = {
            "registrar": _user(f"{prefix}-reg-{unit.pk}", Role.REGISTRAR, unit),
            "handler": _user(f"{prefix}-hdl-{unit.pk}", Role.HANDLER, unit),
            "leader": _user(f"{prefix}-lead-{unit.pk}", Role.UNIT_LEADER, unit),
        }
    admin = _user(f"{prefix}-admin", Role.ADMINISTRATOR, county)
    return {"county": county, "units": units, "staff": staff, "admin": admin}


def load_organisation(prefix: str) -> dict[str, Any]:
    """The organisation :func:`organisation` made in an earlier ``--phase prepare``."""
    county = Unit.objects.get(admin_code=f"{prefix}9901")
    by_name = {u.name: u for u in Unit.objects.filter(parent=county)}
    units = [by_name[f"{prefix}镇{i}"] for i in range(TOWNSHIPS)] + [
        by_name[f"{prefix}局{i}"] for i in range(DEPARTMENTS)
    ]
    users = {u.username: u for u in User.objects.filter(username__startswith=f"{prefix}-")}
    staff = {
        unit.pk: {
            "registrar": users[f"{prefix}-reg-{unit.pk}"],
            "handler": users[f"{prefix}-hdl-{unit.pk}"],
            "leader": users[f"{prefix}-lead-{unit.pk}"],
        }
        for unit in [county, *units]
    }
    return {"county": county, "units": units, "staff": staff, "admin": users[f"{prefix}-admin"]}


def _state(i: int) -> str:
    k = (i * 7) % 1000
    for label, share in STATES:
        if k < share:
            return label
        k -= share
    return STATES[-1][0]


def register_rows(org: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """``n`` register rows as the export writes them (cells by column name)."""
    rows = []
    units = org["units"]
    for i in range(n):
        state = _state(i)
        registering = units[i % TOWNSHIPS]
        moved = state != "已登记" and i % 3 == 0
        responsible = (
            units[TOWNSHIPS + i % DEPARTMENTS] if moved or state == "已转送/交办" else None
        )
        responsible = responsible or registering
        received = START + timedelta(days=i % 400)
        same = i % 50 == 49  # the same petitioner and matter as row i - 25
        k = i - 25 if same else i
        row = {
            "收到日期": received,
            "信访形式": "来信",
            "信访人": f"信访人{k}",
            "联系电话": f"139{k:08d}",
            "信访类别": "申诉求决类",
            "内容摘要": f"{registering.name}{k % 89}组{k % 53}号反映"
            f"{TOPICS[k % len(TOPICS)]},{DETAILS[k % len(DETAILS)]}",
            "登记单位": registering.name,
            "登记人": org["staff"][registering.pk]["registrar"].username,
            "责任单位": responsible.name,
            "当前状态": state,
        }
        if responsible.pk != registering.pk:
            row["转送交办日期"] = received + timedelta(days=1)
        if state in ("已受理", "办理中", "已答复", "已办结"):
            row["受理日期"] = received + timedelta(days=3)
        if state in ("已答复", "已办结"):
            row["答复日期"] = received + timedelta(days=40)
            row["处理结果"] = "解释说明"
        rows.append(row)
    return rows


def workbook(rows: list[dict[str, Any]]) -> bytes:
    fh = io.BytesIO()
    write_register(fh, iter([[row.get(c) for c in COLUMNS] for row in rows]))
    return fh.getvalue()


def by_hand(org: dict[str, Any], rows: list[dict[str, Any]]) -> float:
    """The baseline: each matter entered through the services by the unit's own staff."""
    names = {u.name: u for u in org["units"]}
    answer = {"outcome": Outcome.EXPLAIN, "facts": "事实", "reasons": "理由", "legal_basis": "依据"}
    real = {"occurred_reason": "补录纸质积案"}
    started = time.perf_counter()
    with transaction.atomic():
        for row in rows:
            registering = names[row["登记单位"]]
            responsible = names[row["责任单位"]]
            staff = org["staff"][registering.pk]
            p = register_petition(
                actor=staff["registrar"],
                registering_unit=registering,
                channel="letter",
                kind="appeal",
                summary=row["内容摘要"],
                petitioners=[PetitionerData(name=row["信访人"], phone=row["联系电话"])],
                received_on=row["收到日期"],
            ).petition
            state = row["当前状态"]
            own = org["staff"][responsible.pk]
            if "转送交办日期" in row:
                p = transition(
                    p,
                    Status.ROUTED,
                    actor=staff["registrar"],
                    to_unit=responsible.pk,
                    occurred_on=row["转送交办日期"],
                    **real,
                )
            if state == "不予受理":
                transition(
                    p,
                    Status.NOT_ACCEPTED,
                    actor=own["handler"],
                    reason="不属于信访事项",
                    occurred_on=row.get("转送交办日期", row["收到日期"]),
                    **real,
                )
                continue
            if "受理日期" not in row:
                continue
            p = transition(
                p, Status.ACCEPTED, actor=own["handler"], occurred_on=row["受理日期"], **real
            )
            if state == "办理中":
                transition(
                    p, Status.IN_HANDLING, actor=own["handler"], occurred_on=row["受理日期"], **real
                )
                continue
            if "答复日期" not in row:
                continue
            p = transition(
                p,
                Status.ANSWERED,
                actor=own["leader"],
                occurred_on=row["答复日期"],
                **answer,
                **real,
            )
            if state == "已办结":
                transition(
                    p, Status.CLOSED, actor=own["handler"], occurred_on=row["答复日期"], **real
                )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=None,
        help="matters entered by hand for the baseline (default: a tenth of --rows, ≤ 1000)",
    )
    parser.add_argument(
        "--phase",
        choices=("all", "prepare", "time"),
        default="all",
        help="prepare: organisations and the register file; time: baseline and import",
    )
    parser.add_argument("--book", default="", help="the register file (default: next to the db)")
    parser.add_argument("--no-baseline", action="store_true", help="time the import alone")
    args = parser.parse_args()
    base_rows = args.baseline_rows or max(min(args.rows // 10, 1000), 1)
    default_book = (
        Path(tempfile.gettempdir()) / f"bench-register-{connection.vendor}-{args.rows}.xlsx"
    )
    book = Path(args.book) if args.book else default_book
    if args.phase in ("all", "prepare"):
        call_command("migrate", verbosity=0)
        small = organisation("基")
        org = organisation("导")
        started = time.perf_counter()
        book.write_bytes(workbook(register_rows(org, args.rows)))
        print(
            f"register of {args.rows} rows written to {book} in "
            f"{time.perf_counter() - started:.1f} s ({book.stat().st_size / 1e6:.1f} MB)"
        )
        if args.phase == "prepare":
            return
    small, org = load_organisation("基"), load_organisation("导")
    data = book.read_bytes()
    vendor = connection.vendor
    load_before = os.getloadavg()
    base = 0.0
    if not args.no_baseline:
        base = by_hand(small, register_rows(small, base_rows))
    seen = {"check": 0.0}
    started = time.perf_counter()

    def progress(done: int, total: int, phase: str) -> None:
        if phase == "check" and done >= total - 200:
            seen["check"] = time.perf_counter() - started
        if done % max(total // 10, 1) < 200:
            print(f"  {phase} {done}/{total} at {time.perf_counter() - started:.0f} s", flush=True)

    before = Petition.objects.count()
    started = time.perf_counter()
    result = import_register(data, actor=org["admin"], unit=org["county"], progress=progress)
    took = time.perf_counter() - started
    load_after = os.getloadavg()
    imported = Petition.objects.count() - before
    started = time.perf_counter()
    breaks = verify_chain()
    verified = time.perf_counter() - started
    rate = args.rows / took
    print(f"database: {vendor}; register {len(data) / 1e6:.1f} MB")
    if base:
        print(
            f"baseline (services one by one): {base_rows} matters in {base:.1f} s = "
            f"{base_rows / base:,.1f}/s"
        )
    ratio = f" ({rate / (base_rows / base):.1f}x the baseline)" if base else ""
    print(
        f"import: {args.rows} rows in {took:.1f} s (checking {seen['check']:.1f} s) = "
        f"{rate:,.1f} rows/s{ratio}; {imported} matters, "
        f"{len(result.flags)} flagged same-matter "
        f"({SameMatterCandidate.objects.count()} candidate rows)"
    )
    print(f"states: {result.states}")
    print(f"audit chain: {len(breaks)} breaks, verified in {verified:.1f} s")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(
        "load average (1, 5, 15 min) before "
        + ", ".join(f"{x:.1f}" for x in load_before)
        + "; after "
        + ", ".join(f"{x:.1f}" for x in load_after)
        + " on 2 cores"
    )


if __name__ == "__main__":
    main()
