"""``bench/audit_chain``: what keying the audit chain (issue 10) costs a submission.

The ``submit`` section of ``bench/run`` (portal form and Open311 under wrk, with the bare
one-row insert view as the machine's yardstick) runs against two servers on the same
database, alternately, round after round: ``unkeyed`` (the chain's SHA-256 from before
issue 10, switched on in ``bench_urls`` by ``XINFANG_BENCH_AUDIT``) and ``keyed`` (HMAC-SM3,
the product). The entries the unkeyed rounds append do not verify: a bench database only.
Writes ``bench/results/audit-chain.md``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench.province import common, run, web

MODES = ("unkeyed", "keyed")


def _rps(text: str) -> float:
    return float(re.search(r"([\d.]+) req/s", text).group(1))  # type: ignore[union-attr]


def _one_round(url: str, mode: str, args: Any) -> dict[str, float]:
    os.environ["XINFANG_BENCH_AUDIT"] = mode
    server = web.Server(url, kind="gunicorn", workers=args.workers)
    report = run.Report()
    try:
        run.submissions(report, server, args.quick, args.connections)
    finally:
        server.stop()
    portal, open311 = report.rows
    return {
        "portal": _rps(portal.figure),
        "open311": _rps(open311.figure),
        "bare": _rps(portal.baseline),
    }


def _hash_cost(n: int = 20_000) -> dict[str, float]:
    """Microseconds per entry of each hash, in process, on a submission-like entry."""
    from xinfang.core import audit
    from xinfang.core.models import AuditEntry

    legacy = importlib.import_module("xinfang.core.migrations.0005_audit_key_id_resign")
    entry = AuditEntry(
        seq=123_456,
        created_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        actor_label="",
        action="create",
        object_type="petitions.petition",
        object_id="987654",
        object_repr="XF-2026-000123 小区供水水压不足问题",
        after={"status": "registered", "channel": "online", "summary": "小区供水水压不足问题"},
        ip="127.0.0.1",
        key_id=audit.signing_key_id(),
    )
    costs = {}
    for name, fn in (("unkeyed", legacy._legacy_hash), ("keyed", audit.compute_hash)):
        began = time.perf_counter()
        for _ in range(n):
            fn(entry, audit.GENESIS)
        costs[name] = (time.perf_counter() - began) / n * 1e6
    return costs


def _interleaved_service(blocks: int, per_block: int = 10) -> dict[str, Any]:
    """``register_petition`` in process (no HTTP, so the chain's share is larger than in a
    request), switching the hash every block of ``per_block`` calls: a drift of the shared
    machine's speed then falls on both modes alike."""
    from xinfang.core import audit
    from xinfang.core.models import AuditEntry
    from xinfang.org.models import Unit
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import PetitionerData, register_petition
    from xinfang.portal.open311.feed import public_services

    legacy = importlib.import_module("xinfang.core.migrations.0005_audit_key_id_resign")
    office = Unit.objects.filter(is_petition_office=True, parent__level="county").order_by("pk")[0]
    service = public_services().first()
    keyed_hash = audit.compute_hash
    hashes = {"unkeyed": legacy._legacy_hash, "keyed": keyed_hash}
    before = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    entries_before = AuditEntry.objects.count()
    seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
    n = 0
    try:
        for block in range(2 * blocks):
            mode = MODES[block % 2]
            audit.compute_hash = hashes[mode]  # type: ignore[assignment]
            began = time.perf_counter()
            for _ in range(per_block):
                n += 1
                register_petition(
                    actor=None,
                    registering_unit=office,
                    channel="online",
                    kind="appeal",
                    summary=f"小区供水水压不足问题 第{n}号",
                    full_text="本人反映某小区供水水压长期不足,请求有关部门尽快处理。",
                    matter_type=service,
                    place="某镇某村",
                    petitioners=[PetitionerData(name="张三", phone="13800138000")],
                    idempotency_key=f"bench-audit-{time.time_ns()}",
                    propose_matches=False,
                )
            seconds[mode].append(time.perf_counter() - began)
    finally:
        audit.compute_hash = keyed_hash  # type: ignore[assignment]
    entries = (AuditEntry.objects.count() - entries_before) / n
    Petition.objects.filter(pk__gt=before).delete()
    rate = {mode: per_block / statistics.median(times) for mode, times in seconds.items()}
    return {**rate, "entries_per_submission": entries, "calls": n}


def _wrk_table(figures: dict[str, list[dict[str, float]]], rounds: int) -> list[str]:
    median = {
        mode: {k: statistics.median(r[k] for r in rows) for k in ("portal", "open311", "bare")}
        for mode, rows in figures.items()
    }
    # The machine is shared: its speed drifts between rounds (the bare view's rate moves as
    # much as the difference sought), so each rate is also taken relative to the bare view
    # measured by the same server a few seconds later.
    relative = {
        mode: {k: statistics.median(r[k] / r["bare"] for r in rows) for k in ("portal", "open311")}
        for mode, rows in figures.items()
    }
    lines = [
        "| round | mode | portal req/s | Open311 req/s | bare insert req/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for i in range(rounds):
        for mode in MODES:
            r = figures[mode][i]
            lines.append(
                f"| {i + 1} | {mode} | {r['portal']:.1f} | {r['open311']:.1f} | {r['bare']:.0f} |"
            )
    lines += [
        "",
        "| median | unkeyed | keyed | keyed ÷ unkeyed | same, each ÷ its bare view (judged) "
        "| target | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, label in (("portal", "portal form"), ("open311", "Open311 POST")):
        ratio = median["keyed"][key] / median["unkeyed"][key]
        rel = relative["keyed"][key] / relative["unkeyed"][key]
        lines.append(
            f"| {label} | {median['unkeyed'][key]:.1f} req/s | {median['keyed'][key]:.1f} req/s "
            f"| {ratio:.1%} | {rel:.1%} ({relative['unkeyed'][key]:.1%} vs "
            f"{relative['keyed'][key]:.1%} of bare) | ≥ 90% | {run.verdict(rel >= 0.9)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Submissions with the keyed vs unkeyed chain.")
    parser.add_argument("--db-url", default=common.DEFAULT_DB_URL)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 s loads instead of 15 s")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocks", type=int, default=30, help="in-process blocks per mode")
    parser.add_argument("--no-wrk", action="store_true", help="the in-process figures only")
    args = parser.parse_args(argv)
    common.check_not_test_db(args.db_url)
    if web.wrk_path() is None:
        raise SystemExit(web.WRK_HINT)
    common.setup_django(args.db_url, "bench.province.bench_settings")
    meta = common.read_meta()
    figures: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    rounds = 0 if args.no_wrk else args.rounds
    for i in range(rounds):
        # Alternate which mode goes first, so a drift of the machine's load hits both.
        for mode in MODES if i % 2 == 0 else MODES[::-1]:
            figures[mode].append(_one_round(args.db_url, mode, args))
            print(mode, figures[mode][-1], flush=True)
    costs = _hash_cost()
    service = _interleaved_service(args.blocks)
    lines = [
        "# Keyed audit chain: cost per submission (`bench/audit_chain`, issue 10)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} on "
        f"{'PostgreSQL' if common.is_postgres(args.db_url) else 'SQLite (WAL)'}, "
        f"{os.cpu_count()} cores shared with other engineers; province scale "
        f"{meta.get('scale')} ({int(meta.get('matters', 0)):,} matters); gunicorn "
        f"{args.workers} sync workers, wrk {args.connections} connections, "
        f"{5 if args.quick else 15} s per load; {rounds} rounds, modes alternating.",
        "",
        "`unkeyed`: the chain before issue 10 (SHA-256); `keyed`: HMAC-SM3 with a key id per "
        "entry. Every submission writes at least one audit entry in its transaction.",
        "",
    ]
    if rounds:
        lines += _wrk_table(figures, rounds)
    ratio = service["keyed"] / service["unkeyed"]
    lines += [
        "",
        f"In process, `register_petition` alone ({service['calls']:,} calls, the hash switched "
        f"every 10 calls; {service['entries_per_submission']:.1f} audit entries per "
        f"submission): unkeyed {service['unkeyed']:.1f}/s, keyed {service['keyed']:.1f}/s "
        f"(median block), **{ratio:.1%}**; target ≥ 90%: {run.verdict(ratio >= 0.9)}.",
        "",
        f"In process, one entry's hash: unkeyed {costs['unkeyed']:.1f} µs, keyed "
        f"{costs['keyed']:.1f} µs (canonical JSON included, 20,000 entries).",
        "",
    ]
    out = common.RESULTS_DIR / "audit-chain.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
