"""Benchmark: how long `make run` waits before the platform answers on a fresh machine.

`make run` migrates an empty SQLite database, loads the demo county (`load_demo --if-empty`)
and then serves. The demo grew with every module (petitions, ledgers, supervision,
assessment, statistics, grids, trips), so its cost is measured here against the
migration of the same empty database in the same run (the part no demo can avoid).

Each round runs both commands as the README does — separate processes, a new data
directory — so the figures include Django's start-up. Run on demand, never in CI::

    .venv/bin/python bench/demo_load.py [--rounds 3] [--out bench/results/demo_load.md]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "xinfang", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _median(values: list[float]) -> float:
    # Not the standard library's: bench/statistics shadows it when this file runs as a script.
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def one_round() -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="xf-demo-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["XINFANG_DATA_DIR"] = data_dir
        migrate = _timed(["migrate", "--noinput", "-v0"], env)
        demo = _timed(["load_demo", "--if-empty"], env)
    return migrate, demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/demo_load.md")
    options = parser.parse_args()
    rounds = [one_round() for _ in range(options.rounds)]
    migrate = _median([m for m, _ in rounds])
    demo = _median([d for _, d in rounds])
    load = os.getloadavg()[0]
    lines = [
        "# `make run` on a fresh machine: migrate, then load the demo (SQLite)",
        "",
        f"Rounds: {options.rounds}; load average at the end: {load:.1f} on {os.cpu_count()} cores.",
        "",
        "| step | median s |",
        "|---|---|",
        f"| migrate an empty database (baseline) | {migrate:.1f} |",
        f"| load_demo | {demo:.1f} |",
        f"| ratio load_demo / migrate | {demo / migrate:.2f}× |",
        "",
    ]
    options.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
