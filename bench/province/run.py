"""``bench/run``: measure the platform on the synthetic province, each figure against a
baseline measured in the same run, and write ``bench/results/province.md``.

Sections (``--only`` picks some): ``scoring`` (assessment engine over the facts: in memory
vs DuckDB and vs a per-fact Python loop; end to end from PostgreSQL vs PostgreSQL's own
aggregation), ``due`` (the due-soon page of a township handler under wrk vs a bare view
with the same rows), ``submit`` (portal and Open311 submissions under wrk vs a bare
one-row insert view; durability and idempotency checked), ``job`` (the deadline job over
all matters, twice), ``export`` (the general register at three sizes, each in a fresh
process for its peak memory). ``--profile`` adds cProfile summaries of the due page, a
portal submission and the deadline job to ``bench/results/province-profile.txt``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.province import common, web

SECTIONS = ("scoring", "due", "submit", "job", "export")


@dataclass
class Row:
    section: str
    measure: str
    figure: str
    baseline: str
    ratio: str
    target: str = ""
    verdict: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> None:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        print(
            f"[{row.section}] {row.measure}: {row.figure} | baseline {row.baseline} | "
            f"{row.ratio} {row.verdict}",
            flush=True,
        )


def verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def _load_module(name: str, path: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, common.ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - began)
    return best, result


# ---------------------------------------------------------------------------------------
# Scoring


PG_SCORE_SQL = """
WITH per_item AS (
    SELECT f.subject, i.code, i.section, i.kind, i.points, i.cap, i.target, i.per_point, i.step,
           SUM(COALESCE(f.quantity, 1)) AS qty, AVG(f.value) AS mean
    FROM {facts} f JOIN bench_items i ON f.item = i.code
    WHERE f.date BETWEEN %s AND %s
    GROUP BY f.subject, i.code, i.section, i.kind, i.points, i.cap, i.target, i.per_point, i.step
), item_pts AS (
    SELECT subject, section,
           CASE WHEN kind = 'rate'
                THEN FLOOR(GREATEST(target - mean, 0) / step + 1e-9) * per_point
                ELSE qty * points END AS raw, cap
    FROM per_item
), capped AS (
    SELECT subject, section, SUM(CASE WHEN cap IS NULL THEN raw ELSE LEAST(raw, cap) END) AS d
    FROM item_pts GROUP BY subject, section
), subj AS (SELECT DISTINCT subject FROM {facts} WHERE date BETWEEN %s AND %s)
SELECT subj.subject, GREATEST(%s, %s + SUM(s.smax - LEAST(COALESCE(c.d, 0), s.smax))) AS score
FROM subj CROSS JOIN bench_sections s
LEFT JOIN capped c ON c.subject = subj.subject AND c.section = s.section
GROUP BY subj.subject
"""


def scoring(report: Report, url: str, quick: bool) -> None:
    import polars as pl

    from xinfang.assessment.engine import assess
    from xinfang.assessment.rulebook import load_rulebook, resolve_rulebook

    bench = _load_module("bench_assessment_run", "bench/assessment/run.py")
    path = common.DATA_DIR / "facts.parquet"
    if not path.exists():
        report.notes.append("scoring: no facts (generate without --no-facts)")
        return
    facts = pl.read_parquet(path)
    rb = load_rulebook(resolve_rulebook(bench.RULEBOOK))
    repeat = 1 if quick else 3
    n = facts.height
    t_engine, result = _best(lambda: assess(rb, facts, explain=False), repeat)
    t_duck, duck = _best(lambda: bench.duckdb_scores(facts), repeat)
    engine_scores = result.subjects.select(pl.col("subject").cast(pl.String), "score").sort(
        "subject"
    )
    diff = (engine_scores["score"] - duck.sort("subject")["score"]).abs().max()
    same = engine_scores.height == duck.height and float(diff) < 1e-6
    sample_n = min(50_000 if quick else 200_000, n)
    sample = facts.sample(n=sample_n, seed=1)
    t_sample, _ = _best(lambda: bench.python_loop(sample), 1)
    t_loop = t_sample * n / sample_n
    subjects = engine_scores.height
    report.add(
        "scoring",
        f"score {subjects:,} units × {n:,} facts in memory (engine, Polars)",
        f"{t_engine:.2f} s",
        f"DuckDB, same aggregation: {t_duck:.2f} s",
        f"{t_engine / t_duck:.2f}× DuckDB's time",
        "≤ 2×",
        verdict(t_engine <= 2 * t_duck) + ("" if same else " (scores DIFFER)"),
    )
    report.add(
        "scoring",
        "same, vs a per-fact Python loop",
        f"{t_engine:.2f} s",
        f"loop {t_loop:.1f} s (timed on {sample_n:,} facts, extrapolated)",
        f"{t_loop / t_engine:.0f}× faster",
        "≥ 50×",
        verdict(t_loop / t_engine >= 50),
    )
    if not common.is_postgres(url):
        report.notes.append("scoring end to end: PostgreSQL only (run with --db-url postgres://…)")
        return

    from django.db import connection

    items = [
        (
            i.code,
            s.code,
            i.kind,
            i.points or 0.0,
            i.cap,
            float(i.target) if isinstance(i.target, int | float) else None,
            i.per_point or 0.0,
            i.step,
        )
        for s, i in rb.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_items; DROP TABLE IF EXISTS bench_sections")
        cursor.execute(
            "CREATE TABLE bench_items (code text, section text, kind text, points float8, "
            "cap float8, target float8, per_point float8, step float8)"
        )
        cursor.executemany("INSERT INTO bench_items VALUES (%s,%s,%s,%s,%s,%s,%s,%s)", items)
        cursor.execute("CREATE TABLE bench_sections (section text, smax float8)")
        cursor.executemany(
            "INSERT INTO bench_sections VALUES (%s, %s)", [(s.code, s.max) for s in rb.sections]
        )
    first, last = date(2023, 1, 1), date(2023, 12, 31)

    def end_to_end() -> Any:
        buf = io.BytesIO()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(
                f"COPY (SELECT subject, item, date, quantity, value, tags, note "  # noqa: S608
                f"FROM {common.FACTS_TABLE} WHERE date BETWEEN '{first}' AND '{last}') "
                "TO STDOUT WITH (FORMAT csv)"
            ) as copy:
                for chunk in copy:
                    buf.write(chunk)
        frame = pl.read_csv(
            buf.getvalue(),
            has_header=False,
            new_columns=["subject", "item", "date", "quantity", "value", "tags", "note"],
            schema_overrides={
                "subject": pl.String,
                "item": pl.String,
                "date": pl.Date,
                "quantity": pl.Float64,
                "value": pl.Float64,
                "tags": pl.String,
                "note": pl.String,
            },
        )
        return assess(rb, frame, explain=False)

    def in_postgres() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(
                PG_SCORE_SQL.format(facts=common.FACTS_TABLE),
                [first, last, first, last, rb.floor or 0, rb.base],
            )
            return cursor.fetchall()

    t_e2e, e2e = _best(end_to_end, repeat)
    t_pg, pg_rows = _best(in_postgres, repeat)
    pg_scores = dict(pg_rows)
    worst = max(
        abs(float(pg_scores[s]) - sc)
        for s, sc in e2e.subjects.select("subject", "score").iter_rows()
    )
    report.add(
        "scoring",
        f"end to end from PostgreSQL: COPY {n:,} facts → Polars → engine",
        f"{t_e2e:.2f} s",
        f"the aggregation in PostgreSQL itself: {t_pg:.2f} s",
        f"{t_e2e / t_pg:.1f}× PostgreSQL's time",
        "",
        "scores equal" if worst < 1e-6 else f"scores differ by {worst}",
    )
    report.notes.append(
        f"scoring end to end vs in-memory engine: {t_e2e / t_engine:.1f}× "
        f"(reading {n:,} rows out of PostgreSQL is {t_e2e - t_engine:.1f} s of {t_e2e:.1f} s)"
    )


# ---------------------------------------------------------------------------------------
# Due-soon page


def _session_for(user: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def busiest_township_handler() -> tuple[Any, Any]:
    from django.db.models import Count

    from xinfang.org.models import RoleGrant, Unit
    from xinfang.petitions.models import PetitionReach

    township = (
        PetitionReach.objects.filter(unit__level="township")
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    unit = Unit.objects.get(pk=township["unit_id"])  # type: ignore[index]
    grant = RoleGrant.objects.filter(unit=unit, role="handler").select_related("user").first()
    assert grant is not None
    return unit, grant.user


def _load() -> str:
    """The 1/5/15-minute load averages: the machine is shared, so each run records them."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def due_page(report: Report, server: web.Server, quick: bool, connections: int) -> None:
    import re

    from django.utils import timezone

    from xinfang.petitions.models import Petition

    unit, user = busiest_township_handler()
    cookie = _session_for(user)
    today = timezone.localdate()
    in_scope = Petition.objects.restrict(user, "view")
    due_rows = in_scope.due_within(7, today=today).count()
    scope_rows = in_scope.count()
    page_url, bare_url = server.base + "/petitions/due/", server.base + "/bench/bare-due/"
    status, page, _ = web.fetch(page_url, cookie=cookie)
    bare_status, bare, _ = web.fetch(bare_url, cookie=cookie)
    numbers = re.findall(r"XF\d{11}", page)
    bare_numbers = re.findall(r"XF\d{11}", bare)
    same = status == 200 and bare_status == 200 and list(dict.fromkeys(numbers)) == bare_numbers
    for _ in range(10 * server.workers):  # warm both, in every worker
        web.fetch(page_url, cookie=cookie)
        web.fetch(bare_url, cookie=cookie)
    seconds = 5 if quick else 15
    load = _load()
    app = web.run_wrk(page_url, seconds=seconds, connections=connections, cookie=cookie)
    base = web.run_wrk(bare_url, seconds=seconds, connections=connections, cookie=cookie)
    share = app.rps / base.rps
    report.add(
        "due",
        f"due-soon page, handler of {unit.name} ({scope_rows:,} matters in scope, "
        f"{due_rows:,} due/overdue), {server.describe()}, wrk {connections} connections "
        f"{seconds} s",
        f"{app.rps:.0f} req/s, p50 {app.p50_ms:.1f} ms, p99 {app.p99_ms:.1f} ms",
        f"bare view, same rows: {base.rps:.0f} req/s, p50 {base.p50_ms:.1f} ms, "
        f"p99 {base.p99_ms:.1f} ms",
        f"{share:.0%} of the bare view's req/s",
        "≥ 50%, p99 ≤ 50 ms",
        verdict(share >= 0.5 and app.p99_ms <= 50)
        + ("" if same else " (rows differ from the bare view!)")
        + (f" ({app.errors} errors)" if app.errors else ""),
    )
    report.notes.append(
        f"due page: {len(set(numbers))} rows shown, identical to the bare view's: {same}; "
        f"load average before: {load}, after: {_load()}"
    )


# ---------------------------------------------------------------------------------------
# Submissions


def _csrf(server: web.Server) -> tuple[str, str]:
    import re

    status, html, headers = web.fetch(server.base + "/portal/submit/")
    assert status == 200, status
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    assert token and cookie
    return f"csrftoken={cookie.group(1)}", token.group(1)


def _office_and_service() -> tuple[Any, Any]:
    from xinfang.org.models import Unit
    from xinfang.portal.open311.feed import public_services

    office = Unit.objects.filter(is_petition_office=True, parent__level="county").order_by("pk")[0]
    service = public_services().first()
    assert service is not None
    return office, service


def portal_submissions(server: web.Server, n: int) -> tuple[list[str], dict[str, str]]:
    """``n`` distinct portal submissions (each with its own form token, so none is an
    idempotent replay of another) and the headers to POST them with."""
    from xinfang.portal.forms import make_form_token

    office, service = _office_and_service()
    cookie, csrf = _csrf(server)
    stamp = time.time() - 60
    common_fields = {
        "name": "张三",
        "phone": "13800138000",
        "address": "江川省某县某镇某村",
        "kind": "appeal",
        "matter_type": service.code,
        "receiving_unit": str(office.pk),
        "place": "某镇某村",
        "full_text": "本人反映某小区供水水压长期不足,影响正常生活,请求有关部门尽快处理。",
        "website": "",
        "csrfmiddlewaretoken": csrf,
    }
    bodies = [
        urlencode(
            {
                **common_fields,
                "summary": f"小区供水水压不足问题 第{i}号",
                "form_token": make_form_token(now=stamp),
            }
        )
        for i in range(n)
    ]
    form = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "Referer": server.base + "/portal/submit/",
    }
    return bodies, form


def submissions(report: Report, server: web.Server, quick: bool, connections: int) -> None:
    from django.db import connection

    from xinfang.petitions.models import Petition
    from xinfang.portal.services import issue_open311_client

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_insert")
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, body text, "
                "created_at timestamptz)"
            )
        else:
            cursor.execute(
                "CREATE TABLE bench_insert (id integer PRIMARY KEY AUTOINCREMENT, body text, "
                "created_at datetime)"
            )
    office, service = _office_and_service()
    seconds = 5 if quick else 15
    n_bodies = 3000 if quick else 8000
    portal_bodies, form = portal_submissions(server, n_bodies)
    client, api_key = issue_open311_client(actor=None, name="bench 12345", unit=office)
    run_id = int(time.time())
    open311_bodies = [
        urlencode(
            {
                "api_key": api_key,
                "service_code": service.code,
                "address_string": "江川省某县某镇某村某号",
                "description": f"小区供水水压不足,请尽快处理。第{i}号",
                "last_name": "李",
                "first_name": "四",
                "phone": "13800138001",
                "idempotency_key": f"bench-{run_id}-{i}",
            }
        )
        for i in range(n_bodies)
    ]
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-"))
    results: dict[str, Any] = {}
    before = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    load = _load()
    for label, path, bodies in (
        ("portal", "/portal/submit/", portal_bodies),
        ("open311", "/open311/v2/requests.json", open311_bodies),
        ("bare", "/bench/bare-insert/", portal_bodies),
    ):
        # A first request of each kind outside the timing (imports, jieba's dictionary).
        status, text, _ = web.fetch(
            server.base + path,
            data=bodies[-1].encode(),
            headers={k: v for k, v in form.items() if k != "Content-Type"},
        )
        if status >= 400:
            report.notes.append(f"submit {label}: warm-up request answered {status}: {text[:300]}")
        script = web.post_script(path, bodies[:-1], form, tmp / f"{label}.lua")
        count_before = Petition.objects.count()
        result = web.run_wrk(
            server.base + path, seconds=seconds, connections=connections, script=script
        )
        if label == "bare":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM bench_insert")
                created = cursor.fetchone()[0] - 1  # minus the warm-up row
        else:
            created = Petition.objects.count() - count_before
        results[label] = (result, created)
    # Idempotency: replay 20 submissions of each kind; nothing new may appear.
    count_before = Petition.objects.count()
    replayed_same = True
    for i in range(20):
        web.fetch(
            server.base + "/portal/submit/",
            data=portal_bodies[i].encode(),
            headers={k: v for k, v in form.items() if k != "Content-Type"},
        )
        status, text, _ = web.fetch(
            server.base + "/open311/v2/requests.json", data=open311_bodies[i].encode()
        )
        first = Petition.objects.filter(idempotency_key=f"open311:{client.pk}:bench-{run_id}-{i}")
        number = first.values_list("number", flat=True).first()
        replayed_same &= bool(number) and number in text
    duplicates = Petition.objects.count() - count_before
    bare, bare_created = results["bare"]
    for label in ("portal", "open311"):
        res, created = results[label]
        ok_responses = res.requests - res.errors
        share = res.rps / bare.rps
        report.add(
            "submit",
            f"{'portal 网上信访 form' if label == 'portal' else 'Open311 POST requests.json'}"
            f" → register_petition, {server.describe()}, wrk {connections} connections "
            f"{seconds} s",
            f"{res.rps:.1f} req/s, p50 {res.p50_ms:.0f} ms, p99 {res.p99_ms:.0f} ms",
            f"bare one-row insert view: {bare.rps:.0f} req/s, p99 {bare.p99_ms:.1f} ms",
            f"{share:.1%} of the bare view's req/s",
            "≥ 50%",
            verdict(share >= 0.5)
            + f"; {created:,} matters committed for {ok_responses:,} successful responses"
            + (f", {res.errors} errors" if res.errors else ""),
        )
    report.notes.append(
        f"submissions: bare insert committed {bare_created:,} rows for {bare.requests:,} requests; "
        f"20 portal + 20 Open311 replays with the same idempotency keys created "
        f"{duplicates} new matters; Open311 replays returned the first matter's number: "
        f"{replayed_same}; load average before: {load}, after: {_load()}"
    )
    # Leave the province as generated: remove what the submissions created.
    Petition.objects.filter(pk__gt=before).delete()
    client.delete()


# ---------------------------------------------------------------------------------------
# The deadline job


def deadline_job(report: Report, meta: dict[str, str], profile: bool) -> None:
    from django.db import connection, transaction
    from django.db.models import Q

    from xinfang.core.models import Message
    from xinfang.petitions.choices import NotificationKind
    from xinfang.petitions.models import Petition
    from xinfang.petitions.reminders import run_deadline_job

    # The notices are the outbox's messages (core/outbox.py; petitions.Notification was
    # removed when every notice moved there). The generator writes the overdue ones with
    # no source, the job with the matter's: during the run the job is their only writer.
    notices = Message.objects.all()

    today = date.fromisoformat(meta["generated_on"])
    yesterday = today - timedelta(days=1)
    generated_at = meta["generated_at"]

    # Due dates never fall on a rest day, so "yesterday's dues" is empty after a weekend or
    # a holiday. The job is timed as on the first run after the last working day with due
    # dates: the matters due on that day (the latest due date before today) are put back
    # to "not yet marked" (and their overdue notices removed), the job marks them again.
    last_due = (
        Petition.objects.filter(next_due__lt=today)
        .order_by("-next_due")
        .values_list("next_due", flat=True)
        .first()
    ) or yesterday

    def reset() -> None:
        notices.filter(created_at__gt=generated_at).delete()
        notices.filter(kind=NotificationKind.OVERDUE, due__gte=last_due).delete()
        Petition.objects.filter(next_due__gte=last_due, next_due__lt=today).update(
            is_overdue=False, overdue_since=None
        )

    reset()
    to_mark = Petition.objects.filter(next_due__lt=today, is_overdue=False).count()
    total = int(meta["matters"])
    with transaction.atomic():
        began = time.perf_counter()
        bare = Petition.objects.filter(
            next_due__isnull=False, next_due__lt=today, is_overdue=False
        ).update(is_overdue=True)
        t_bare = time.perf_counter() - began
        transaction.set_rollback(True)
    notes_before = notices.count()
    began = time.perf_counter()
    first = run_deadline_job(today=today)
    t_first = time.perf_counter() - began
    notes_mid = notices.count()
    prof = cProfile.Profile() if profile else None
    began = time.perf_counter()
    if prof:
        prof.enable()
    second = run_deadline_job(today=today)
    if prof:
        prof.disable()
    t_second = time.perf_counter() - began
    notes_after = notices.count()
    overdue_total = Petition.objects.filter(is_overdue=True).count()
    unchanged = second.marked_overdue == 0 and second.queued == 0 and notes_after == notes_mid
    report.add(
        "job",
        f"deadline job (xinfang mark_overdue) over {total:,} matters, first run after the "
        f"matters due {last_due} ran out",
        f"{t_first:.1f} s: recomputed {first.recomputed:,}, marked {first.marked_overdue:,} "
        f"overdue, queued {first.queued:,}, sent {first.sent:,}",
        f"bare UPDATE marking the same {bare:,} rows: {t_bare * 1000:.0f} ms",
        f"{t_first / max(t_bare, 1e-6):.0f}× the bare UPDATE",
        "",
        "",
    )
    report.add(
        "job",
        "same job, second run",
        f"{t_second:.1f} s: recomputed {second.recomputed:,}, marked {second.marked_overdue:,}, "
        f"queued {second.queued:,}, sent {second.sent:,}",
        f"first run {t_first:.1f} s",
        f"{t_second / t_first:.2f}× the first run",
        "changes nothing",
        ("met" if unchanged else "**NOT met**")
        + f" (outbox {notes_before:,} → {notes_mid:,} → {notes_after:,} rows; "
        f"{overdue_total:,} matters overdue; {to_mark:,} to mark)",
    )
    if prof:
        report.profiles.append(_profile_text("deadline job, second run", prof))
    del connection, Q
    reset()


# ---------------------------------------------------------------------------------------
# Export


def _vm_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export_probe(argv: list[str]) -> None:
    """Child process: export the register for one date range, print JSON figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url")
    parser.add_argument("--user", type=int)
    parser.add_argument("--date-to")
    args = parser.parse_args(argv)
    common.setup_django(args.db_url)
    from xinfang.documents.register import (
        filtered_petitions,
        register_rows,
        write_register,
    )
    from xinfang.org.models import User

    user = User.objects.get(pk=args.user)
    # Reset the kernel's peak-RSS mark so the peak is the export's own (Linux ≥ 4.0).
    Path("/proc/self/clear_refs").write_text("5")
    rss_before = _vm_kb("VmRSS")
    target = Path(tempfile.mkdtemp(prefix="xinfang-bench-")) / "register.xlsx"
    began = time.perf_counter()
    qs = filtered_petitions(user, {"date_to": args.date_to})
    rows = write_register(str(target), register_rows(user, qs))
    seconds = time.perf_counter() - began
    rss_after = _vm_kb("VmHWM")
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "rss_before_kb": rss_before,
                "rss_peak_kb": rss_after,
                "bytes": target.stat().st_size,
            }
        )
    )
    target.unlink()


def export(report: Report, url: str, scale: float) -> None:
    from django.db.models import Count

    from xinfang.documents.register import filtered_petitions
    from xinfang.org.models import RoleGrant

    try:
        import xinfang.documents.register  # noqa: F401
    except ImportError:
        report.notes.append("export: xinfang.documents.register is missing")
        return
    grant = (
        RoleGrant.objects.filter(
            role="unit_leader", unit__is_petition_office=True, unit__parent__level="province"
        )
        .select_related("user", "unit")
        .first()
    )
    assert grant is not None
    user = grant.user
    per_day = list(
        filtered_petitions(user, {})
        .order_by()
        .values("received_on")
        .annotate(n=Count("id"))
        .order_by("received_on")
        .values_list("received_on", "n")
    )
    available = sum(n for _, n in per_day)
    sizes = [int(s * min(scale, 1.0)) for s in (25_000, 50_000, 100_000)]
    figures = []
    for size in sizes:
        running, date_to = 0, per_day[-1][0]
        for day, n in per_day:
            running += n
            if running >= size:
                date_to = day
                break
        out = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "bench.province.run",
                "--export-probe",
                "--db-url",
                url,
                "--user",
                str(user.pk),
                "--date-to",
                date_to.isoformat(),
            ],
            cwd=common.ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(common.ROOT)},
        ).stdout
        figures.append(json.loads(out.strip().splitlines()[-1]))
    last = figures[-1]
    growth = [(f["rss_peak_kb"] - f["rss_before_kb"]) / 1024 for f in figures]
    flat = growth[-1] <= max(growth[0] * 1.5, growth[0] + 30)
    report.add(
        "export",
        f"general register xlsx ({user} of {grant.unit.name}, {available:,} matters in scope): "
        + ", ".join(f"{f['rows']:,} rows {f['seconds']:.1f} s" for f in figures),
        f"{last['rows']:,} rows in {last['seconds']:.1f} s "
        f"({last['rows'] / last['seconds']:.0f} rows/s, {common.human_bytes(last['bytes'])})",
        f"{figures[0]['rows']:,} rows: {figures[0]['seconds']:.1f} s",
        f"{last['seconds'] / figures[0]['seconds']:.1f}× the time for "
        f"{last['rows'] / figures[0]['rows']:.1f}× the rows",
        "100,000 rows < 30 s"
        if scale >= 1
        else f"{sizes[-1]:,} rows (scaled) < {30 * scale:.1f} s",
        verdict(last["seconds"] < 30 * min(scale, 1.0) or (scale < 1 and last["seconds"] < 30)),
    )
    report.add(
        "export",
        "peak memory above the process's baseline, same three exports",
        " / ".join(f"{g:.0f} MB" for g in growth),
        f"{figures[0]['rows']:,} rows: {growth[0]:.0f} MB",
        f"{growth[-1] / max(growth[0], 1):.2f}× for "
        f"{last['rows'] / figures[0]['rows']:.1f}× the rows",
        "flat",
        verdict(flat),
    )


# ---------------------------------------------------------------------------------------
# Profiles


def _profile_text(title: str, prof: cProfile.Profile, limit: int = 30) -> str:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    return f"## {title}\n\n{out.getvalue()}"


def profile_requests(report: Report, server: web.Server) -> None:
    """cProfile of the due page and a portal submission, in this process (test client)."""
    from django.test import Client, override_settings

    from xinfang.org.models import Unit
    from xinfang.petitions.models import Petition
    from xinfang.portal.forms import make_form_token
    from xinfang.portal.open311.feed import public_services

    _, user = busiest_township_handler()
    with override_settings(ROOT_URLCONF="bench.province.bench_urls", ALLOWED_HOSTS=["*"]):
        client = Client()
        client.force_login(user)
        client.get("/petitions/due/")
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(30):
            client.get("/petitions/due/")
        prof.disable()
        report.profiles.append(_profile_text("due-soon page, 30 requests", prof))
        office = Unit.objects.filter(is_petition_office=True, parent__level="county")[0]
        service = public_services().first()
        before = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        anon = Client()
        prof = cProfile.Profile()
        for i in range(21):
            data = {
                "name": "张三",
                "phone": "13800138000",
                "address": "某村",
                "kind": "appeal",
                "matter_type": service.code,
                "receiving_unit": office.pk,
                "place": "某村",
                "summary": f"供水水压不足 {i}",
                "full_text": "供水水压长期不足,请求处理。",
                "website": "",
                "form_token": make_form_token(now=time.time() - 60),
            }
            if i:
                prof.enable()
            anon.post("/portal/submit/", data)
            prof.disable()
        report.profiles.append(_profile_text("portal submission, 20 requests", prof))
        Petition.objects.filter(pk__gt=before).delete()
    del server


# ---------------------------------------------------------------------------------------


def write_report(report: Report, meta: dict[str, str], url: str, started: float, args: Any) -> Path:
    import platform

    vendor = "PostgreSQL" if common.is_postgres(url) else "SQLite (WAL)"
    size = int(meta.get("db_bytes", "0"))
    lines = [
        "# Province-scale benchmark (`bench/generate` + `bench/run`)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} on {vendor}, {os.cpu_count()} cores shared with "
        f"other engineers, Python {platform.python_version()}; "
        f"{'quick mode; ' if args.quick else ''}every figure is compared with a baseline "
        "measured in the same run on the same machine.",
        "",
        "## The province",
        "",
        f"Scale {meta.get('scale')}: {int(meta.get('units', 0)):,} units, "
        f"{int(meta.get('staff', 0)):,} staff with role grants, "
        f"{int(meta.get('matters', 0)):,} matters over two years "
        f"({int(meta.get('overdue', 0)):,} overdue, {int(meta.get('pending', 0)):,} with a due "
        f"date pending the 2027 calendar), {int(meta.get('facts', 0)):,} assessment facts.",
        f"Generated on {meta.get('generated_on')} in **{meta.get('seconds')} s** "
        f"(of which facts {meta.get('facts_seconds')} s); database "
        f"**{common.human_bytes(size)}**, facts Parquet "
        f"{common.human_bytes(int(meta.get('facts_parquet_bytes', '0')))}. Due dates of "
        f"{meta.get('sample_checked')} sampled matters recomputed with the app's "
        f"`workflow.apply_dues`: {meta.get('sample_mismatched')} differ.",
        "",
        f"States: {meta.get('statuses')}.",
        "",
        f"Generator steps: {meta.get('timings')}.",
        "",
        "## Figures",
        "",
        "| section | measurement | figure | baseline (same run) | ratio | target | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *[
            f"| {r.section} | {r.measure} | {r.figure} | {r.baseline} | {r.ratio} | {r.target} "
            f"| {r.verdict} |"
            for r in report.rows
        ],
        "",
        "## Notes",
        "",
        *[f"- {n}" for n in report.notes],
        f"- `bench/run` took {time.perf_counter() - started:.0f} s.",
        "",
    ]
    out = common.RESULTS_DIR / "province.md"
    if args.output:
        out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    if report.profiles:
        (out.parent / (out.stem + "-profile.txt")).write_text(
            "\n\n".join(report.profiles), encoding="utf-8"
        )
    return out


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--export-probe" in argv:
        argv.remove("--export-probe")
        export_probe(argv)
        return
    parser = argparse.ArgumentParser(description="Measure the platform on the province.")
    parser.add_argument("--db-url", default=common.DEFAULT_DB_URL)
    parser.add_argument("--quick", action="store_true", help="shorter loads, one repeat")
    parser.add_argument("--only", default=",".join(SECTIONS), help=",".join(SECTIONS))
    parser.add_argument("--connections", type=int, default=2, help="wrk connections")
    parser.add_argument("--profile", action="store_true", help="cProfile summaries too")
    parser.add_argument("--output", default="", help="default bench/results/province.md")
    parser.add_argument(
        "--server",
        choices=("gunicorn", "runserver"),
        default="gunicorn",
        help="what serves the app and the bare views (the same process for both)",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default XINFANG_WEB_WORKERS)"
    )
    args = parser.parse_args(argv)
    url = args.db_url
    common.check_not_test_db(url)
    started = time.perf_counter()
    common.setup_django(url, "bench.province.bench_settings")
    meta = common.read_meta()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    report = Report()
    if "scoring" in only:
        scoring(report, url, args.quick)
    if "job" in only:
        deadline_job(report, meta, args.profile)
    if "export" in only:
        export(report, url, float(meta["scale"]))
    if only & {"due", "submit"} or args.profile:
        if web.wrk_path() is None:
            report.notes.append(f"due / submit not measured: {web.WRK_HINT}")
            print(web.WRK_HINT, file=sys.stderr)
        else:
            from django.conf import settings

            workers = args.workers or settings.XINFANG_WEB_WORKERS
            server = web.Server(url, kind=args.server, workers=workers)
            try:
                if "due" in only:
                    due_page(report, server, args.quick, args.connections)
                if "submit" in only:
                    submissions(report, server, args.quick, args.connections)
                if args.profile:
                    profile_requests(report, server)
            finally:
                server.stop()
    out = write_report(report, meta, url, started, args)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
