"""``python -m bench.statistics.run [--db-url URL]``: the ranking and the annual report at
province scale, each against a raw GROUP BY over the matters measured in the same run.

Needs the province of ``bench/generate`` (5,000 units, 2,000,000 matters; ``--no-facts``
is enough). Adds, once, a rating to the answered matters (the generator writes none, and
the satisfaction rate would be 0/0): bench data only. Then:

* **materialise**: ``refresh_months`` over the 24 months the matters span (what the nightly
  job does for two of them).
* **ranking**, in process: the month's ranking of every unit below the province (4,999)
  from the aggregates, against the same ranking computed from the matters by the grouped
  counting (``count_measures`` by responsible unit, the raw GROUP BY) and against one bare
  SQL GROUP BY of the month's matters by responsible unit (the cheapest read of the
  matters there is).
* **ranking by pages** in process (:func:`ranking_page`, 50 rows): the first request of a
  setting (computed and cached) and the following ones (from the cache).
* **ranking over HTTP**: the paged API endpoint under gunicorn (2 sync workers, the
  product's command line), sequential requests with a staff token, p50 / p99; pages drawn
  from the whole ranking, weights varied so that some requests compute a new ranking.
* **annual report** of the province for the current year: refreshing the yearly
  aggregates (what the nightly job adds), then the report from them (figures, PDF, xlsx)
  — also counted from the matters directly, as before, for the ratio; against the bare
  GROUP BY of the year's matters. The report's figures are checked equal to the direct
  count.

Writes ``bench/results/statistics.md``.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench.province import common

URL = "postgres://postgres@127.0.0.1:5432/xf_stats_bench"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(fn: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        out.append((time.perf_counter() - began) * 1000)
    return out


def _ms(values: list[float]) -> str:
    p50, p99 = _percentile(values, 0.5), _percentile(values, 0.99)
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (n={len(values)})"


def _load() -> str:
    import os

    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


class _Lines(list[str]):
    """The result lines, also printed as they come (a long run shows its progress)."""

    def append(self, line: str) -> None:
        print(line, flush=True)
        super().append(line)


def add_ratings() -> int:
    """One rating per answered matter, five days after the answer (bench data only)."""
    from django.db import connection

    from xinfang.petitions.models import ReturnVisit

    if ReturnVisit.objects.exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO petitions_returnvisit
                (petition_id, visited_on, method, rating, note, by_petitioner)
            SELECT id, answered_on + 5, '电话回访',
                   CASE WHEN id % 10 = 0 THEN 'dissatisfied'
                        WHEN id % 10 IN (1, 2) THEN 'basically_satisfied'
                        ELSE 'satisfied' END,
                   '', false
            FROM petitions_petition
            WHERE answered_on IS NOT NULL AND answered_on + 5 <= CURRENT_DATE
            """
        )
        return cursor.rowcount


def bare_group_by(start: date, end: date) -> int:
    """The baseline: one GROUP BY of the period's matters by responsible unit."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT responsible_unit_id, count(*) FROM petitions_petition "
            "WHERE received_on BETWEEN %s AND %s GROUP BY responsible_unit_id",
            [start, end],
        )
        return len(cursor.fetchall())


def live_ranking(root: Any, units: list[Any], month: date) -> int:
    """The ranking without aggregates: the month counted from the matters, rolled up."""
    from collections import defaultdict

    from xinfang.petitions.measures import Counts, MeasureWindow, count_measures
    from xinfang.petitions.models import Petition
    from xinfang.statistics.aggregates import MonthFigures
    from xinfang.statistics.periods import month_end
    from xinfang.statistics.ranking import Weights, rank_figures

    w = MeasureWindow.of(month, month_end(month))
    per_unit = count_measures(Petition.objects.all(), w, by="responsible_unit_id")
    from xinfang.org.models import Unit

    paths = dict(Unit.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, _, path in units}
    sums: dict[int, Counts] = defaultdict(Counts)
    for unit_id, counts in per_unit.items():
        path = paths.get(unit_id, "")
        cut = path.find("/")
        while cut != -1:
            owner = by_path.get(path[: cut + 1])
            if owner is not None:
                sums[owner] = sums[owner] + counts
            cut = path.find("/", cut + 1)
    rows = [(pk, name, MonthFigures(0, sums.get(pk, Counts()))) for pk, name, _ in units]
    return len(rank_figures(rows, Weights(), 5))


def http_ranking(
    url: str,
    province_pk: int,
    month: date,
    requests: int,
    units: int,
    *,
    default_level: str,
    cold_requests: int,
) -> dict[str, Any]:
    from bench.province import web
    from xinfang.org.choices import Role
    from xinfang.org.models import RoleGrant, User
    from xinfang.org.tokens import issue_token

    grant = RoleGrant.objects.filter(unit_id=province_pk, role=Role.UNIT_LEADER).first()
    if grant is None:  # the generator grants no one the province itself: a bench reader
        user = User.objects.filter(unit_id=province_pk).order_by("pk").first()
        user = user or User.objects.order_by("pk").first()
        grant = RoleGrant.objects.create(user=user, role=Role.UNIT_LEADER, unit_id=province_pk)
    token = issue_token(actor=None, user=grant.user, name="bench-statistics")
    server = web.Server(url, kind="gunicorn", workers=2)
    try:
        root = f"{server.base}/api/statistics/units/{province_pk}/ranking?month={month:%Y-%m-%d}"
        base = f"{root}&level=all&limit=50"
        headers = {"Authorization": f"Bearer {token}"}
        status, body, _ = web.fetch(f"{server.base}/api/schema/", headers=headers)  # imports
        # The page's default ranking, warmed by the recount: the first request of a fresh
        # worker (nothing in its memo) reads it from the shared cache.
        warmed = []
        for _ in range(2):  # one per worker, as far as the scheduler spreads them
            began = time.perf_counter()
            status, body, _ = web.fetch(f"{root}&level={default_level}&limit=50", headers=headers)
            warmed.append((time.perf_counter() - began) * 1000)
            if status != 200:
                raise SystemExit(f"ranking endpoint answered {status}: {body[:300]}")
        for _ in range(5):  # warm-up: connections (and the ranking of level=all cached)
            status, body, _ = web.fetch(base, headers=headers)
            if status != 200:
                raise SystemExit(f"ranking endpoint answered {status}: {body[:300]}")
        times, cold = [], []
        pages = max(1, -(-units // 50))
        for i in range(requests):
            # Every 50th request a weighting not asked before: computed, then cached.
            weights = f"&w_timely={2 + i // 50}" if i % 50 == 0 else ""
            endpoint = f"{base}&offset={(i * 37 % pages) * 50}{weights}"
            began = time.perf_counter()
            status, body, _ = web.fetch(endpoint, headers=headers)
            spent = (time.perf_counter() - began) * 1000
            (cold if weights else times).append(spent)
            assert status == 200, body[:300]
        # Then only new weightings: the uncached request on its own.
        only_cold = []
        for i in range(cold_requests):
            endpoint = f"{base}&offset={(i * 37 % pages) * 50}&w_completion={2 + i}"
            began = time.perf_counter()
            status, _cold_body, _ = web.fetch(endpoint, headers=headers)
            only_cold.append((time.perf_counter() - began) * 1000)
            assert status == 200
        return {
            "times": times,
            "cold": cold,
            "all": times + cold,
            "only_cold": only_cold,
            "warmed": warmed,
            "bytes": len(body.encode()),
            "server": server.describe(),
        }
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Statistics at province scale.")
    parser.add_argument("--db-url", default=URL)
    parser.add_argument("--runs", type=int, default=50, help="ranking runs in process")
    parser.add_argument("--requests", type=int, default=200, help="ranking requests over HTTP")
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument(
        "--months", type=int, default=0, help="materialise only the last N months (0: all)"
    )
    parser.add_argument(
        "--skip-direct", action="store_true", help="skip counting the year from the matters"
    )
    parser.add_argument(
        "--skip-report", action="store_true", help="skip the yearly aggregates and the report"
    )
    parser.add_argument(
        "--live-runs", type=int, default=3, help="runs of the ranking counted from the matters"
    )
    parser.add_argument("--cold", type=int, default=20, help="HTTP requests with new weights")
    args = parser.parse_args(argv)
    common.check_not_test_db(args.db_url)
    common.setup_django(args.db_url)
    from django.db import connection
    from django.utils import timezone

    from xinfang.org.models import Unit
    from xinfang.petitions.models import Petition
    from xinfang.statistics.aggregates import refresh_months, refresh_years
    from xinfang.statistics.models import UnitMonth
    from xinfang.statistics.periods import month_end, months_between, previous_month
    from xinfang.statistics.ranking import (
        ALL_LEVELS,
        Weights,
        default_level,
        monthly_ranking,
        ranked_units,
        ranking_levels,
        ranking_page,
        warm_rankings,
    )
    from xinfang.statistics.report import annual_report, report_lines, report_pdf, report_xlsx
    from xinfang.statistics.summary import subtree_statistics

    lines = _Lines()
    today = timezone.localdate()
    matters = Petition.objects.count()
    province = Unit.objects.get(parent__isnull=True)
    first = Petition.objects.order_by("received_on").values_list("received_on", flat=True)[0]
    rated = add_ratings()
    lines.append(
        f"Run {datetime.now().astimezone():%Y-%m-%d %H:%M} on {connection.vendor}, "
        f"{Unit.objects.count():,} units, {matters:,} matters "
        f"(received {first} … {today}); ratings added this run: {rated:,}; {_load()}."
    )

    months = months_between(first, today)
    if args.months:
        months = months[-args.months :]
    if not args.skip_refresh:
        began = time.perf_counter()
        rows = refresh_months(months)
        spent = time.perf_counter() - began
        lines.append(
            f"- materialise: `refresh_months` over {len(months)} months: {spent:.1f} s "
            f"({spent / len(months):.1f} s a month), {rows:,} rows"
        )
    began = time.perf_counter()
    rows = refresh_months([previous_month(today), today])
    lines.append(
        f"- nightly recount (this month and the last): {time.perf_counter() - began:.1f} s, "
        f"{rows:,} rows"
    )
    month = previous_month(today)
    from django.core.cache import cache

    cache.clear()
    began = time.perf_counter()
    warmed = warm_rankings(month)
    lines.append(
        f"- warming after the recount (`warm_rankings`: default weights and guard, each level "
        f"the page offers, the top two levels of the tree as roots): {warmed} rankings in "
        f"{time.perf_counter() - began:.1f} s"
    )
    units = ranked_units(province, ALL_LEVELS)
    w = Weights()
    ranking = monthly_ranking(province, ALL_LEVELS, month, w)
    ranked = sum(1 for r in ranking.rows if r.rank is not None)
    aggregated = _timed(lambda: monthly_ranking(province, ALL_LEVELS, month, w), args.runs)
    live = _timed(lambda: live_ranking(province, units, month), args.live_runs)
    bare = _timed(lambda: bare_group_by(month, month_end(month)), 5)
    lines.append(
        f"- ranking of {len(units):,} units ({ranked:,} ranked, guard 5), {month:%Y-%m}, in "
        f"process: from the aggregates {_ms(aggregated)}; from the matters (grouped "
        f"counting, same definitions) {_ms(live)}; bare GROUP BY of the month's matters "
        f"{_ms(bare)}"
    )
    lines.append(
        f"  - ratio: aggregates ÷ counting from the matters = "
        f"{_percentile(aggregated, 0.5) / _percentile(live, 0.5):.4f} (p50); "
        "aggregates ÷ bare GROUP BY = "
        f"{_percentile(aggregated, 0.5) / _percentile(bare, 0.5):.2f} (p50)"
    )
    townships = monthly_ranking(province, "township", month, w)
    lines.append(
        f"- ranking of the {len(townships.rows)} townships: "
        f"{_ms(_timed(lambda: monthly_ranking(province, 'township', month, w), args.runs))}"
    )
    first_page = _timed(lambda: ranking_page(province, ALL_LEVELS, month, w, offset=0), 1)
    later = _timed(lambda: ranking_page(province, ALL_LEVELS, month, w, offset=2450), args.runs)
    paged = [
        r
        for p in range(0, len(units), 50)
        for r in ranking_page(province, ALL_LEVELS, month, w, offset=p).rows
    ]
    same = paged == monthly_ranking(province, ALL_LEVELS, month, w).rows
    lines.append(
        f"- ranking by pages of 50 (`ranking_page`), {len(units):,} units, in process: first "
        f"request (computed, cached) {first_page[0]:.1f} ms; from the cache {_ms(later)}; "
        f"all pages together equal the whole ranking: {same}"
    )
    fresh = iter(range(2, 1000))
    uncached = _timed(
        lambda: ranking_page(province, ALL_LEVELS, month, Weights(1, 1, next(fresh)), offset=0),
        args.runs,
    )
    lines.append(
        f"- uncached page in process (`ranking_page`, each with weights not asked before: "
        f"computed, stored in the shared cache): {_ms(uncached)}"
    )
    load_before = _load()
    page_level = default_level(province, ranking_levels(province))
    http = http_ranking(
        args.db_url,
        province.pk,
        month,
        args.requests,
        len(units),
        default_level=page_level,
        cold_requests=args.cold,
    )
    lines.append(
        f"- ranking of {len(units):,} units over HTTP, a page of 50 "
        "(`/api/statistics/units/…/ranking?level=all&limit=50&offset=…`, "
        f"{http['server']}, sequential, {http['bytes'] / 1024:.0f} KiB JSON): all requests "
        f"{_ms(http['all'])}; from the cache {_ms(http['times'])}; the {len(http['cold'])} "
        f"requests with new weights (computed) {_ms(http['cold'])}; then {len(http['only_cold'])} "
        f"requests each with new weights (uncached) {_ms(http['only_cold'])}; "
        f"{load_before} before, {_load()} after"
    )
    lines.append(
        f"  - the page's default ranking (level {page_level}), first requests after the "
        f"warming (fresh workers, from the shared cache): "
        + ", ".join(f"{t:.1f} ms" for t in http["warmed"])
    )
    lines.append(
        f"  - ratio: HTTP p99 (all requests) ÷ bare GROUP BY of the month p50 = "
        f"{_percentile(http['all'], 0.99) / _percentile(bare, 0.5):.2f}; HTTP p99 "
        f"(uncached) ÷ bare GROUP BY p50 = "
        f"{_percentile(http['only_cold'], 0.99) / _percentile(bare, 0.5):.2f}"
    )
    if args.skip_report:
        _write(lines)
        return

    year = today.year
    began = time.perf_counter()
    year_rows = refresh_years([year], today=today)
    refresh_s = time.perf_counter() - began
    began = time.perf_counter()
    report = annual_report(province, year, today=today)
    figures_s = time.perf_counter() - began
    began = time.perf_counter()
    pdf = report_pdf(report, today=today)
    pdf_s = time.perf_counter() - began
    began = time.perf_counter()
    xlsx = report_xlsx(report)
    xlsx_s = time.perf_counter() - began
    bare_year = _timed(lambda: bare_group_by(date(year, 1, 1), date(year, 12, 31)), 3)
    received = report.statistics.total.count("received")
    lines.append(
        f"- yearly aggregates: `refresh_years([{year}])` (all units, added to the nightly "
        f"recount): {refresh_s:.1f} s, {year_rows:,} rows"
    )
    lines.append(
        f"- annual report of the province, {year} ({received:,} matters received), from the "
        f"yearly aggregates: figures {figures_s:.2f} s, PDF {pdf_s:.1f} s "
        f"({len(pdf) / 1024:.0f} KiB), xlsx {xlsx_s:.2f} s ({len(xlsx) / 1024:.0f} KiB); "
        f"total {figures_s + pdf_s:.1f} s; bare GROUP BY of the year's matters "
        f"{_ms(bare_year)} → ratio {figures_s * 1000 / _percentile(bare_year, 0.5):.2f}×"
    )
    if not args.skip_direct:
        began = time.perf_counter()
        direct = subtree_statistics(province, report.period, today=today)
        direct_s = time.perf_counter() - began
        aggregated = {line.figure: line.value for _, line in report_lines(report) if line.figure}
        figures_equal = direct.total.figures.counts == report.statistics.total.figures.counts
        measures_equal = direct.total.figures.measures == report.statistics.total.figures.measures
        lines.append(
            f"  - the same figures counted from the matters directly (before): {direct_s:.1f} s "
            f"(aggregates ÷ direct = {figures_s / direct_s:.4f}); equal: counts "
            f"{figures_equal}, measures {measures_equal} ({len(aggregated)} report lines)"
        )
    lines.append(f"- aggregates table: {UnitMonth.objects.count():,} rows; {_load()} at the end")
    _write(lines)


def _write(lines: list[str]) -> None:
    out = common.RESULTS_DIR / "statistics.md"
    text = (
        "# Statistics at province scale (`python -m bench.statistics.run`)\n\n"
        + "\n".join(lines)
        + "\n"
    )
    Path(out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
