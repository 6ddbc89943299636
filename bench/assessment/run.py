"""Benchmark: the assessment engine on 5,000 subjects × 10,000,000 facts.

Run on demand (not part of the tests)::

    .venv/bin/python bench/assessment/run.py [--facts 10000000] [--subjects 5000]

Generates the facts in memory (numpy, vectorised), scores them by ``model-2022`` with
the engine (``explain=False``: scores, no per-fact lines), computes the same
aggregation with DuckDB over the same in-memory Arrow data, asserts both give the
same score for every subject, times a plain per-fact Python loop on a sample and
extrapolates it, and prints a Markdown table (also written to
``bench/results/assessment.md``). Targets: within 2× of DuckDB, ≥ 50× the loop.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# The engine is pure Python + Polars: no Django setup is needed to score.
from xinfang.assessment.engine import assess  # noqa: E402
from xinfang.assessment.rulebook import load_rulebook, resolve_rulebook  # noqa: E402

RULEBOOK = "model-2022"


def generate(n_facts: int, n_subjects: int, seed: int = 2022) -> pl.DataFrame:
    """Per-occurrence facts on the fixed items, plus one fact per subject per rate."""
    rb = load_rulebook(resolve_rulebook(RULEBOOK))
    rng = np.random.default_rng(seed)
    fixed = [i.code for _, i in rb.items() if i.kind == "fixed"]
    rates = [i.code for _, i in rb.items() if i.kind == "rate"]
    subjects = pl.Series([f"U{i:05d}" for i in range(n_subjects)], dtype=pl.String)
    n_rate = n_subjects * len(rates)
    n_fixed = n_facts - n_rate
    start = date(2023, 1, 1).toordinal() - date(1970, 1, 1).toordinal()
    fixed_df = pl.DataFrame(
        {
            "subject": subjects.gather(rng.integers(0, n_subjects, n_fixed)),
            "item": pl.Series(fixed, dtype=pl.String).gather(rng.integers(0, len(fixed), n_fixed)),
            "date": pl.Series(rng.integers(start, start + 365, n_fixed, dtype=np.int32)).cast(
                pl.Date
            ),
            "quantity": pl.Series(rng.integers(1, 4, n_fixed).astype(np.float64)),
            "value": pl.Series([None], dtype=pl.Float64).gather(np.zeros(n_fixed, dtype=np.int64)),
        }
    )
    rate_df = pl.DataFrame(
        {
            "subject": subjects.gather(np.repeat(np.arange(n_subjects), len(rates))),
            "item": pl.Series(rates * n_subjects, dtype=pl.String),
            "date": pl.Series(np.full(n_rate, start + 180, dtype=np.int32)).cast(pl.Date),
            "quantity": pl.Series(np.ones(n_rate)),
            "value": pl.Series(rng.uniform(50, 100, n_rate).round(1)),
        }
    )
    df = pl.concat([fixed_df, rate_df])
    return df.with_columns(tags=pl.lit(None, dtype=pl.String), note=pl.lit(None, dtype=pl.String))


class _ArrowStream:
    """Hands a Polars frame to DuckDB through the Arrow C stream interface (zero copy).

    DuckDB's own Polars support goes through pyarrow, which Xinfang does not depend on;
    the PyCapsule interface needs nothing extra.
    """

    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.df.__arrow_c_stream__(requested_schema)


def duckdb_scores(facts: pl.DataFrame) -> pl.DataFrame:
    """The same aggregation in SQL: per-item sums, rate steps, caps, section floors."""
    rb = load_rulebook(resolve_rulebook(RULEBOOK))
    items = pl.DataFrame(
        [
            {
                "code": i.code,
                "section": s.code,
                "smax": s.max,
                "kind": i.kind,
                "points": i.points or 0.0,
                "cap": i.cap,
                "target": float(i.target) if isinstance(i.target, int | float) else None,
                "per_point": i.per_point or 0.0,
                "step": i.step,
            }
            for s, i in rb.items()
        ]
    )
    sections = pl.DataFrame([{"section": s.code, "smax": s.max} for s in rb.sections])
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("facts", _ArrowStream(facts))
    con.register("items", _ArrowStream(items))
    con.register("sections", _ArrowStream(sections))
    # Only numbers from the rulebook are formatted in; no input text reaches the SQL.
    sql = f"""
    WITH per_item AS (
        SELECT f.subject, i.code, i.section, i.kind, i.points, i.cap, i.target, i.per_point, i.step,
               SUM(f.quantity) AS qty, AVG(f.value) AS mean
        FROM facts f JOIN items i ON f.item = i.code
        GROUP BY ALL
    ), item_pts AS (
        SELECT subject, section,
               CASE WHEN kind = 'rate'
                    THEN FLOOR(GREATEST(target - mean, 0) / step + 1e-9) * per_point
                    ELSE qty * points END AS raw, cap
        FROM per_item
    ), capped AS (
        SELECT subject, section, SUM(CASE WHEN cap IS NULL THEN raw ELSE LEAST(raw, cap) END) AS d
        FROM item_pts GROUP BY ALL
    ), subj AS (SELECT DISTINCT subject FROM facts)
    SELECT subj.subject,
           GREATEST({rb.floor or 0},
                    {rb.base} + SUM(s.smax - LEAST(COALESCE(c.d, 0), s.smax))) AS score
    FROM subj CROSS JOIN sections s
    LEFT JOIN capped c ON c.subject = subj.subject AND c.section = s.section
    GROUP BY subj.subject
    """  # noqa: S608
    rows = con.execute(sql).fetchall()
    con.close()
    frame = pl.DataFrame(rows, schema=["subject", "score"], orient="row")
    return frame.with_columns(pl.col("subject").cast(pl.String), pl.col("score").cast(pl.Float64))


def python_loop(facts: pl.DataFrame) -> dict[str, float]:
    """The naive way: one Python iteration per fact, then the same rules per subject."""
    rb = load_rulebook(resolve_rulebook(RULEBOOK))
    by_code = {i.code: (s, i) for s, i in rb.items()}
    item_sum: dict[tuple[str, str], float] = {}
    rate_vals: dict[tuple[str, str], list[float]] = {}
    subjects: set[str] = set()
    rows = facts.select("subject", "item", "date", "quantity", "value", "tags").iter_rows()
    for subject, item, day, quantity, value, tags in rows:
        # the same checks the engine makes on every fact
        if not subject or day is None:
            raise ValueError(subject)
        if item not in by_code:
            raise ValueError(item)
        section, it = by_code[item]
        if quantity is not None and quantity <= 0:
            raise ValueError(quantity)
        if it.kind == "rate":
            if value is None or not 0 <= value <= 100:
                raise ValueError(value)
        elif value is not None:
            raise ValueError(value)
        if tags:
            raise ValueError(tags)
        subjects.add(subject)
        if it.kind == "rate":
            rate_vals.setdefault((subject, item), []).append(value)
        else:
            key = (subject, item)
            item_sum[key] = item_sum.get(key, 0.0) + (quantity or 1.0) * (it.points or 0.0)
    sec_d: dict[tuple[str, str], float] = {}
    for (subject, item), raw in item_sum.items():
        section, it = by_code[item]
        pts = min(raw, it.cap) if it.cap is not None else raw
        sec_d[(subject, section.code)] = sec_d.get((subject, section.code), 0.0) + pts
    for (subject, item), vals in rate_vals.items():
        section, it = by_code[item]
        gap = max(float(it.target or 0) - sum(vals) / len(vals), 0.0)  # type: ignore[arg-type]
        pts = int(gap / it.step + 1e-9) * (it.per_point or 0.0)
        pts = min(pts, it.cap) if it.cap is not None else pts
        sec_d[(subject, section.code)] = sec_d.get((subject, section.code), 0.0) + pts
    out = {}
    for subject in subjects:
        total = rb.base + sum(
            (s.max or 0) - min(sec_d.get((subject, s.code), 0.0), s.max or 0) for s in rb.sections
        )
        out[subject] = max(total, rb.floor or 0)
    return out


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=10_000_000)
    parser.add_argument("--subjects", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=200_000, help="facts for the Python loop")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "assessment.md", help="table file"
    )
    args = parser.parse_args()

    rb = load_rulebook(resolve_rulebook(RULEBOOK))
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    facts = generate(args.facts, args.subjects)
    t_gen = time.perf_counter() - t0
    print(
        f"generated {facts.height:,} facts for {args.subjects:,} subjects in {t_gen:.1f} s",
        flush=True,
    )

    # Two in-memory representations of the same facts: text columns as read from CSV,
    # and dictionary-encoded (integer subject ids, Enum item codes) as a columnar store
    # would hold them. Engine and DuckDB get the very same frame each time.
    encoded = facts.with_columns(
        pl.col("subject").str.slice(1).cast(pl.Int32),
        pl.col("item").cast(pl.Enum(sorted(facts["item"].unique().to_list()))),
    )
    timings = {}
    for label, frame in (("text", facts), ("encoded", encoded)):
        t_engine, result = _best(lambda f=frame: assess(rb, f, explain=False), args.repeat)
        t_duck, duck = _best(lambda f=frame: duckdb_scores(f), args.repeat)
        engine_scores = result.subjects.select(pl.col("subject").cast(pl.String), "score").sort(  # type: ignore[attr-defined]
            "subject"
        )
        duck_scores = duck.sort("subject")  # type: ignore[attr-defined]
        assert engine_scores["subject"].to_list() == duck_scores["subject"].to_list()
        diff = (engine_scores["score"] - duck_scores["score"]).abs().max()
        assert diff is not None and float(diff) < 1e-6, f"engine and DuckDB differ by {diff}"  # type: ignore[arg-type]
        timings[label] = (t_engine, t_duck, float(diff))  # type: ignore[arg-type]
        print(label, timings[label], flush=True)

    sample = facts.sample(n=min(args.sample, facts.height), seed=1)
    t_sample, loop = _best(lambda: python_loop(sample), args.repeat)
    t_loop = t_sample * facts.height / sample.height
    sample_engine = assess(rb, sample, explain=False).subjects
    for subject, score in sample_engine.select("subject", "score").iter_rows():
        assert abs(loop[subject] - score) < 1e-6  # type: ignore[index]

    load_after = os.getloadavg()[0]
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    rows = []
    for label, (t_engine, t_duck, _) in timings.items():
        name = "text columns (as from CSV)" if label == "text" else "dictionary-encoded ids"
        rows += [
            f"| {name} | engine (Polars, validation included) | {t_engine:.2f} | 1× |",
            f"| {name} | DuckDB (same aggregation, SQL) | {t_duck:.2f} | "
            f"engine takes {t_engine / t_duck:.2f}× DuckDB's time |",
            f"| {name} | per-fact Python loop (extrapolated) | {t_loop:.1f} | "
            f"engine {t_loop / t_engine:.0f}× faster |",
        ]
    worst_duck = max(e / d for e, d, _ in timings.values())
    best_loop = max(t_loop / e for e, _, _ in timings.values())
    worst_loop = min(t_loop / e for e, _, _ in timings.values())
    loop_verdict = (
        "met" if worst_loop >= 50 else "met for some inputs" if best_loop >= 50 else "NOT met"
    )
    table = "\n".join(
        [
            f"# Assessment engine benchmark ({RULEBOOK})",
            "",
            f"{facts.height:,} facts, {args.subjects:,} subjects, {os.cpu_count()} cores (shared); "
            f"best of {args.repeat}; the Python loop (same validation as the engine, best of "
            f"{args.repeat}) timed on "
            f"{sample.height:,} facts and extrapolated. Polars {pl.__version__}, DuckDB "
            f"{duckdb.__version__}. Peak RSS {peak_gb:.1f} GB. Load average (1 min) "
            f"{load_before:.1f} at the start, {load_after:.1f} at the end.",
            "",
            "| facts held as | method | time (s) | ratio |",
            "| --- | --- | ---: | ---: |",
            *rows,
            "",
            f"Scores identical to DuckDB for all {args.subjects:,} subjects in both runs, and to "
            f"the loop on the sample.",
            f"Targets: ≤ 2× DuckDB — {'met' if worst_duck <= 2 else 'NOT met'} "
            f"(worst {worst_duck:.2f}×); ≥ 50× the loop — "
            f"{loop_verdict} "
            f"({worst_loop:.0f}×–{best_loop:.0f}×).",
            "",
        ]
    )
    print(table)
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
