"""``bench/audit_chain``: what keying the audit chain (issue 10) costs a submission.

Three figures, each comparing ``keyed`` (HMAC-SM3, the product) with ``unkeyed`` (the
chain's SHA-256 from before issue 10) on the same database in the same run:

* portal submissions over HTTP (the ``submit`` section's form posts, gunicorn, wrk): one
  server, the hash chosen per request by a header (``audit_switch``), short runs of the two
  modes alternating pair after pair, so both see the same load from the machine's other
  users. The judged figure: the median of the pairs' keyed ÷ unkeyed rate.
* ``register_petition`` in process, the hash switched every 10 calls (no HTTP: the chain's
  share of the work is larger there).
* one entry's hash alone.

The entries the unkeyed requests append do not verify: a bench database only. Writes
``bench/results/audit-chain.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.province import common, run, web

MODES = ("unkeyed", "keyed")


def _paired_http(url: str, args: Any) -> dict[str, list[float]]:
    from xinfang.petitions.models import Petition

    rates: dict[str, list[float]] = {mode: [] for mode in MODES}
    errors = dict.fromkeys(MODES, 0)
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-audit-"))
    before = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    per_run = 200 * args.seconds  # more than the server can take in that time
    server = web.Server(url, kind="gunicorn", workers=args.workers)
    try:
        bodies, form = run.portal_submissions(server, per_run * 2 * args.pairs + 2)
        for n, mode in enumerate(MODES):
            # Warm-up outside the timing (imports, jieba's dictionary).
            headers = {k: v for k, v in form.items() if k != "Content-Type"}
            web.fetch(
                server.base + "/portal/submit/",
                data=bodies[-1 - n].encode(),
                headers={**headers, "X-Bench-Audit": mode},
            )
        chunks = iter(range(0, len(bodies) - 2, per_run))
        for i in range(args.pairs):
            for mode in MODES if i % 2 == 0 else MODES[::-1]:
                start = next(chunks)
                script = web.post_script(
                    "/portal/submit/",
                    bodies[start : start + per_run],
                    {**form, "X-Bench-Audit": mode},
                    tmp / f"{mode}{i}.lua",
                )
                result = web.run_wrk(
                    server.base + "/portal/submit/",
                    seconds=args.seconds,
                    connections=args.connections,
                    script=script,
                )
                rates[mode].append(result.rps)
                errors[mode] += result.errors
            print({mode: r[-1] for mode, r in rates.items()}, errors, flush=True)
    finally:
        server.stop()
        Petition.objects.filter(pk__gt=before).delete()
    if any(errors.values()):
        raise SystemExit(f"failed requests: {errors}")
    return rates


def _entries_by_hash(after_seq: int) -> dict[str, int]:
    """How many entries since ``after_seq`` each hash wrote: shows the switch took effect."""
    from xinfang.core import audit, audit_v1
    from xinfang.core.models import AuditEntry

    counts = dict.fromkeys(MODES, 0)
    for entry in AuditEntry.objects.filter(seq__gt=after_seq).iterator():
        if audit.compute_hash(entry, entry.prev_hash) == entry.entry_hash:
            counts["keyed"] += 1
        elif audit_v1.entry_hash(entry, entry.prev_hash) == entry.entry_hash:
            counts["unkeyed"] += 1
    return counts


def _interleaved_service(blocks: int, per_block: int = 10) -> dict[str, Any]:
    from xinfang.core import audit, audit_v1
    from xinfang.core.models import AuditEntry
    from xinfang.org.models import Unit
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import PetitionerData, register_petition
    from xinfang.portal.open311.feed import public_services

    office = Unit.objects.filter(is_petition_office=True, parent__level="county").order_by("pk")[0]
    service = public_services().first()
    keyed_hash = audit.compute_hash
    hashes = {"unkeyed": audit_v1.entry_hash, "keyed": keyed_hash}
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


def _hash_cost(n: int = 20_000) -> dict[str, float]:
    """Microseconds per entry of each hash, on a submission-like entry."""
    from xinfang.core import audit, audit_v1
    from xinfang.core.models import AuditEntry

    entry = AuditEntry(
        seq=123_456,
        created_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        action="create",
        object_type="petitions.petition",
        object_id="987654",
        object_repr="XF-2026-000123 小区供水水压不足问题",
        after={"status": "registered", "channel": "online", "summary": "小区供水水压不足问题"},
        ip="127.0.0.1",
        key_id=audit.signing_key_id(),
    )
    costs = {}
    for name, fn in (("unkeyed", audit_v1.entry_hash), ("keyed", audit.compute_hash)):
        began = time.perf_counter()
        for _ in range(n):
            fn(entry, audit.GENESIS)
        costs[name] = (time.perf_counter() - began) / n * 1e6
    return costs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Submissions with the keyed vs unkeyed chain.")
    parser.add_argument("--db-url", default=common.DEFAULT_DB_URL)
    parser.add_argument("--pairs", type=int, default=16, help="pairs of wrk runs")
    parser.add_argument("--seconds", type=int, default=4, help="length of one wrk run")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocks", type=int, default=30, help="in-process blocks per mode")
    args = parser.parse_args(argv)
    common.check_not_test_db(args.db_url)
    if web.wrk_path() is None:
        raise SystemExit(web.WRK_HINT)
    common.setup_django(args.db_url, "bench.province.bench_settings")
    meta = common.read_meta()
    from xinfang.core.models import AuditEntry

    seq_before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    rates = _paired_http(args.db_url, args)
    written = _entries_by_hash(seq_before)
    service = _interleaved_service(args.blocks)
    costs = _hash_cost()
    ratios = [k / u for k, u in zip(rates["keyed"], rates["unkeyed"], strict=True)]
    http_ratio = statistics.median(ratios)
    service_ratio = service["keyed"] / service["unkeyed"]
    extra = costs["keyed"] - costs["unkeyed"]
    extra_us = extra * service["entries_per_submission"]
    keyed_rate = statistics.median(rates["keyed"])
    lines = [
        "# Keyed audit chain: cost per submission (`bench/audit_chain`, issue 10)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} on "
        f"{'PostgreSQL' if common.is_postgres(args.db_url) else 'SQLite (WAL)'}, "
        f"{os.cpu_count()} cores shared with other engineers (load average "
        f"{os.getloadavg()[0]:.1f} at the end); province scale {meta.get('scale')} "
        f"({int(meta.get('matters', 0)):,} matters). `unkeyed`: the chain before issue 10 "
        "(SHA-256); `keyed`: HMAC-SM3 with a key id per entry.",
        "",
        "| measure | unkeyed | keyed | keyed ÷ unkeyed | target | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| portal form → register_petition, gunicorn {args.workers} sync workers, wrk "
        f"{args.connections} connections, {args.pairs} pairs of {args.seconds} s runs "
        f"(median rate; ratio: median of the pairs') | "
        f"{statistics.median(rates['unkeyed']):.1f} req/s | "
        f"{statistics.median(rates['keyed']):.1f} req/s | **{http_ratio:.1%}** | ≥ 90% | "
        f"{run.verdict(http_ratio >= 0.9)} |",
        f"| register_petition in process, {service['calls']:,} calls, hash switched every 10 "
        f"(median block; {service['entries_per_submission']:.1f} audit entries per submission) "
        f"| {service['unkeyed']:.1f}/s | {service['keyed']:.1f}/s | **{service_ratio:.1%}** "
        f"| ≥ 90% | {run.verdict(service_ratio >= 0.9)} |",
        f"| one entry's hash (canonical JSON included) | {costs['unkeyed']:.1f} µs | "
        f"{costs['keyed']:.1f} µs | | | |",
        "",
        f"Expected from the hash alone: {service['entries_per_submission']:.1f} entries × "
        f"{extra:.1f} µs = {extra_us:.0f} µs of a {1000 / keyed_rate:.0f} ms submission "
        f"({extra_us * keyed_rate / 1e4:.2f}%); what the rows above show beyond that is the "
        "shared machine's noise (see the spread of the pairs).",
        "",
        f"Pairs, keyed ÷ unkeyed: {', '.join(f'{r:.0%}' for r in ratios)}. Entries the HTTP "
        f"runs appended: {written['unkeyed']:,} with the unkeyed hash, {written['keyed']:,} "
        "keyed; no failed request.",
        "",
    ]
    out = common.RESULTS_DIR / "audit-chain.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
