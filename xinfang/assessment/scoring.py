"""A period's facts as the engine's input, and its results by the same engine as
``xinfang assess``.

The platform never scores by itself: it hands the period's counted facts and its subjects
to :func:`xinfang.assessment.engine.assess` exactly as ``xinfang assess --facts F.csv
--subjects S.csv`` would read them from the period's export (numbers as the CSV carries
them, blank text as missing, the spreadsheet row numbers), and renders the result with the
command's own :func:`~xinfang.assessment.report.to_json`. So a closed period's published
results equal the command's output on its exported facts, exactly.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

import polars as pl

from xinfang.assessment.check import check_rulebook
from xinfang.assessment.engine import Assessment, assess
from xinfang.assessment.report import to_json
from xinfang.assessment.rulebook import Item, Rulebook, parse_rulebook
from xinfang.core.facts import Fact as FactRow
from xinfang.core.facts import write_csv

__all__ = [
    "Evaluation",
    "csv_number",
    "evaluate",
    "fact_rows",
    "facts_frame",
    "item_of",
    "rulebook_of",
    "sha256",
    "subjects_frame",
    "what_if",
    "write_facts_csv",
    "write_subjects_csv",
]

SUBJECT_HEADER = ["subject", "name", "category", "lines"]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def csv_number(x: float | None) -> float | None:
    """``x`` as the facts CSV carries it (``core.facts.Fact.row``: integers bare, others to
    two decimals), so the stored fact and its exported row are the same number."""
    if x is None:
        return None
    x = float(x)
    return float(int(x)) if x.is_integer() else float(f"{x:.2f}")


@lru_cache(maxsize=32)
def _parsed(text: str, name: str) -> tuple[Rulebook, tuple[str, ...], tuple[str, ...]]:
    rb = parse_rulebook(text, name)
    findings = check_rulebook(rb)
    return (
        rb,
        tuple(str(f) for f in findings if f.level == "error"),
        tuple(str(f) for f in findings if f.level == "warning"),
    )


def rulebook_of(text: str, name: str = "细则") -> tuple[Rulebook, list[str], list[str]]:
    """The rulebook of a stored text, its check errors and warnings (cached by text)."""
    rb, errors, warnings = _parsed(text, name)
    return rb, list(errors), list(warnings)


def item_of(rb: Rulebook, key: str) -> Item | None:
    """The rulebook's item for an item code or a duty key it maps."""
    found = rb.item(key)
    if found is not None:
        return found
    code = next((m.item for m in rb.mapping if m.key == key), None)
    return rb.item(code) if code else None


def _text(x: str | None) -> str | None:
    x = (x or "").strip()
    return x or None


def fact_rows(facts: Iterable[Any]) -> list[FactRow]:
    """Stored facts as the export's rows (the contract's :class:`~xinfang.core.facts.Fact`)."""
    return [
        FactRow(
            subject=f.subject,
            key=f.item,
            date=f.date,
            quantity=f.quantity,
            value=f.value,
            tags=f.tags,
            note=f.note,
            evidence=f.evidence,
            source=f.source,
        )
        for f in facts
    ]


def facts_frame(rows: Sequence[FactRow]) -> pl.DataFrame:
    """The frame ``facts_csv.read_facts`` reads from the export of ``rows``."""
    return pl.DataFrame(
        {
            "row": list(range(2, len(rows) + 2)),
            "subject": [_text(r.subject) for r in rows],
            "item": [_text(r.key) for r in rows],
            "date": [r.date for r in rows],
            "quantity": [csv_number(r.quantity) for r in rows],
            "value": [csv_number(r.value) for r in rows],
            "tags": [_text(r.tags) for r in rows],
            "note": [_text(r.note) for r in rows],
        },
        schema={
            "row": pl.Int64,
            "subject": pl.String,
            "item": pl.String,
            "date": pl.Date,
            "quantity": pl.Float64,
            "value": pl.Float64,
            "tags": pl.String,
            "note": pl.String,
        },
    )


def subjects_frame(subjects: Sequence[Any]) -> pl.DataFrame:
    """The frame ``facts_csv.read_subjects`` reads from the period's SUBJECTS.csv."""
    return pl.DataFrame(
        {
            "row": list(range(2, len(subjects) + 2)),
            "subject": [_text(s.code) for s in subjects],
            "name": [_text(s.name) for s in subjects],
            "category": [_text(s.category) for s in subjects],
            "lines": [None for _ in subjects],
        },
        schema={
            "row": pl.Int64,
            "subject": pl.String,
            "name": pl.String,
            "category": pl.String,
            "lines": pl.String,
        },
    )


def write_facts_csv(facts: Iterable[Any], out: IO[str]) -> int:
    return write_csv(fact_rows(facts), out)


def write_subjects_csv(subjects: Iterable[Any], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUBJECT_HEADER)
    n = 0
    for s in subjects:
        writer.writerow([s.code, s.name, s.category, ""])
        n += 1
    return n


@dataclass(frozen=True)
class Evaluation:
    """The engine's assessment and its JSON (the shape of ``assess --json``)."""

    assessment: Assessment
    data: dict[str, Any]


def evaluate(rulebook_text: str, facts: Sequence[Any], subjects: Sequence[Any]) -> Evaluation:
    """Score ``facts`` (stored facts, counted ones only) for ``subjects`` as ``assess``
    does: the rulebook's check warnings are copied into the result."""
    rb, _errors, warnings = rulebook_of(rulebook_text)
    result = assess(rb, facts_frame(fact_rows(facts)), subjects_frame(subjects))
    result.warnings.extend(warnings)
    return Evaluation(result, to_json(result))


def what_if(
    rulebook_text: str, facts: Sequence[Any], subjects: Sequence[Any], upheld: set[int]
) -> list[dict[str, Any]]:
    """Each subject's score and rank now and if the appeals against the facts ``upheld``
    (primary keys) were all upheld — those facts struck."""
    now = evaluate(rulebook_text, facts, subjects).data["subjects"]
    then = evaluate(rulebook_text, [f for f in facts if f.pk not in upheld], subjects).data[
        "subjects"
    ]
    after = {s["subject"]: s for s in then}
    rows = []
    for s in now:
        a = after[s["subject"]]
        rows.append(
            {
                "subject": s["subject"],
                "name": s["name"],
                "category": s["category"],
                "score": s["score"],
                "score_if": a["score"],
                "delta": None
                if s["score"] is None or a["score"] is None
                else round(a["score"] - s["score"], 6),
                "rank": s["rank"],
                "rank_if": a["rank"],
            }
        )
    return rows
