"""Small builders shared by the assessment tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from xinfang.assessment.engine import Assessment, assess
from xinfang.assessment.report import to_json
from xinfang.assessment.rulebook import Rulebook, load_rulebook, resolve_rulebook

FACT_SCHEMA = {
    "subject": pl.String,
    "item": pl.String,
    "date": pl.Date,
    "quantity": pl.Float64,
    "value": pl.Float64,
    "tags": pl.String,
    "note": pl.String,
}

_CACHE: dict[str, Rulebook] = {}


def rulebook(name: str) -> Rulebook:
    """A shipped rulebook, loaded once per test session."""
    if name not in _CACHE:
        _CACHE[name] = load_rulebook(resolve_rulebook(name))
    return _CACHE[name]


def fact(
    subject: str,
    item: str,
    day: str = "2023-01-10",
    quantity: float | None = None,
    value: float | None = None,
    tags: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "subject": subject,
        "item": item,
        "date": date.fromisoformat(day),
        "quantity": quantity,
        "value": value,
        "tags": tags,
        "note": note,
    }


def facts_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    df = pl.DataFrame(rows, schema=FACT_SCHEMA)
    return df.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))


def subjects_frame(rows: list[tuple[str, str, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"subject": s, "name": n, "category": c, "lines": ln} for s, n, c, ln in rows],
        schema={"subject": pl.String, "name": pl.String, "category": pl.String, "lines": pl.String},
    )


def run(
    rb: Rulebook | str,
    rows: list[dict[str, Any]],
    subjects: list[tuple[str, str, str | None, str | None]] | None = None,
    period: tuple[str, str] | None = None,
    explain: bool = True,
) -> Assessment:
    book = rulebook(rb) if isinstance(rb, str) else rb
    per = (date.fromisoformat(period[0]), date.fromisoformat(period[1])) if period else None
    subj = subjects_frame(subjects) if subjects is not None else None
    return assess(book, facts_frame(rows), subj, period=per, explain=explain)


def by_subject(a: Assessment) -> dict[str, dict[str, Any]]:
    """The JSON result keyed by subject code."""
    return {s["subject"]: s for s in to_json(a)["subjects"]}
