"""A period's subjects and derived facts, collected from the records by the providers, and
its stored results.

Derived facts are replaced as a whole each time they are collected (on opening, on demand
and by the nightly job) while the period is before its appeals: by then nobody can have
appealed one. Entered and declared facts are never touched here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

import polars as pl
from django.db import connections
from django.db.models import Case, CharField, Count, F, FloatField, Max, Sum, Value, When
from django.db.models.functions import Coalesce, Length

from xinfang.assessment.choices import COUNTED_FACT_STATUSES, FactOrigin, FactStatus
from xinfang.assessment.engine import assess_sums, compile_rulebook, sums_supported
from xinfang.assessment.engine.mapping import Mapped
from xinfang.assessment.facts import assessed_units, collect_facts
from xinfang.assessment.models import Fact, Period, Result, Scheme, Subject
from xinfang.assessment.report import to_json
from xinfang.assessment.scoring import Evaluation, csv_number, evaluate, rulebook_of, subjects_frame
from xinfang.core.facts import unit_subject
from xinfang.org.models import Unit
from xinfang.petitions.measures import unit_measures

__all__ = [
    "StoredResult",
    "counted_facts",
    "derive_facts",
    "period_evaluation",
    "store_results",
    "stored_json",
    "subject_units",
]


def subject_units(scheme: Scheme) -> list[Unit]:
    """The scheme's subjects now: units with a category under the assessing unit, of the
    scheme's level and category when it names them."""
    units = assessed_units(scheme.assessing_unit)
    return [
        u
        for u in units
        if (not scheme.subject_level or u.level == scheme.subject_level)
        and (not scheme.subject_category or u.category == scheme.subject_category)
    ]


def _sample(unit: Unit, period: Period, today: date) -> int:
    """Matters behind the unit's rates in the period (the largest denominator)."""
    m = unit_measures(unit, period.start, period.end, today=today)
    return max(
        m.timely_acceptance.denominator,
        m.on_time_completion.denominator,
        m.satisfaction.denominator,
    )


def _refresh_subjects(period: Period, units: list[Unit], today: date) -> None:
    """The period's subjects as the scheme names them now, updated in place: a subject
    that stays keeps its row (and the ratings assigned on it); one no longer assessed goes."""
    kept = {s.unit_id: s for s in Subject.objects.filter(period=period)}
    Subject.objects.filter(period=period).exclude(unit__in=[u.pk for u in units]).delete()
    fresh: list[Subject] = []
    changed: list[Subject] = []
    for i, u in enumerate(units):
        row = kept.get(u.pk) or Subject(period=period, unit=u)
        row.code, row.name, row.category = unit_subject(u), u.name, u.category
        row.position, row.sample = i, _sample(u, period, today)
        (changed if row.pk else fresh).append(row)
    Subject.objects.bulk_update(changed, ["code", "name", "category", "position", "sample"])
    Subject.objects.bulk_create(fresh)


def derive_facts(period: Period, *, today: date) -> int:
    """Refresh the period's subjects and its derived facts; returns the number of facts."""
    units = subject_units(period.scheme)
    _refresh_subjects(period, units, today)
    by_code = {unit_subject(u): u for u in units}
    Fact.objects.filter(period=period, origin=FactOrigin.DERIVED).delete()
    rows = [
        Fact(
            period=period,
            unit=by_code[f.subject],
            subject=f.subject,
            item=f.key,
            date=f.date,
            quantity=csv_number(f.quantity),
            value=csv_number(f.value),
            tags=f.tags.strip(),
            note=f.note.strip(),
            evidence=f.evidence,
            source=f.source,
            origin=FactOrigin.DERIVED,
            status=FactStatus.ACCEPTED,
        )
        for f in collect_facts(period.start, period.end, units, today=today)
        if f.subject in by_code
    ]
    Fact.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def counted_facts(period: Period, *, exclude: set[int] | None = None) -> list[Fact]:
    """The facts the engine scores, in the export's order."""
    facts = list(Fact.objects.filter(period=period).counted().order_by("pk"))
    return [f for f in facts if not exclude or f.pk not in exclude]


def period_evaluation(period: Period) -> Evaluation:
    """The period's results now (provisional before it closes)."""
    subjects = list(Subject.objects.filter(period=period).order_by("position"))
    return evaluate(period.scheme.rulebook_text, counted_facts(period), subjects)


# Above this many facts a period is scored from per-(subject, item) sums the database
# computes (one GROUP BY), without the per-fact lines; a unit's page explains its own points.
EXPLAIN_MAX = 50_000


def sums_query(period: Period, rb: Any) -> Any:
    """The per-(subject, item) sums of the period's counted facts, reduced by the database
    in one GROUP BY: duty keys become the rulebook's items by its mapping (other keys keep
    their text, to be left out and counted as ``engine.mapping`` does); ``tagged`` says a
    group has a fact with tags (then the engine's own reduction is needed)."""
    mapped = {m.key: m.item for m in rb.mapping}
    item = Case(
        *[When(item=key, then=Value(code)) for key, code in mapped.items()],
        default=F("item"),
        output_field=CharField(),
    )
    qty = Coalesce("quantity", Value(1.0), output_field=FloatField())
    return (
        Fact.objects.filter(period=period, status__in=COUNTED_FACT_STATUSES)
        .annotate(code=item)
        .values("subject", "code")
        .annotate(
            n=Count("pk"),
            q=Sum(qty),
            vq=Coalesce(Sum(F("value") * qty), Value(0.0), output_field=FloatField()),
            v=Coalesce(Sum("value"), Value(0.0), output_field=FloatField()),
            v1=Sum(Coalesce("value", Value(1.0), output_field=FloatField())),
            tagged=Max(Length("tags")),
        )
        .order_by()
    )


SUMS_SCHEMA = {
    "subject": pl.String,
    "item": pl.String,
    "q": pl.Float64,
    "vq": pl.Float64,
    "v": pl.Float64,
    "v1": pl.Float64,
    "n": pl.UInt32,
}


# The columns of :func:`sums_query` (``code`` before it is renamed ``item``).
SUMS_COLUMNS = {
    **{k: t for k, t in SUMS_SCHEMA.items() if k != "item"},
    "code": pl.String,
    "tagged": pl.Int64,
}


def sums_copy(period: Period, rb: Any) -> tuple[str, Any]:
    """:func:`sums_query` as PostgreSQL sends its rows to the close: one ``COPY … TO
    STDOUT`` in CSV (floats in their shortest exact text since PostgreSQL 12), and its
    parameters."""
    sql, params = sums_query(period, rb).query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", params


def copy_out(statement: str, params: Any) -> bytes:
    """The bytes of a ``COPY … TO STDOUT`` on the default connection (psycopg 3)."""
    buf = io.BytesIO()
    with connections[Fact.objects.db].cursor() as cur:
        raw = cur.cursor  # the driver's own cursor
        with raw.copy(statement, params) as copy:
            for chunk in copy:
                buf.write(chunk)
    return buf.getvalue()


def sums_frame(period: Period, rb: Any) -> pl.DataFrame:
    """:func:`sums_query`'s rows straight into a frame (``subject``, ``code``, ``n``,
    ``q``, ``vq``, ``v``, ``v1``, ``tagged``), without a Python object per row: on
    PostgreSQL copied out as CSV and parsed by polars, elsewhere from a plain cursor."""
    qs = sums_query(period, rb)
    if connections[qs.db].vendor == "postgresql":
        body = copy_out(*sums_copy(period, rb))
        frame = pl.read_csv(io.BytesIO(body), schema_overrides=SUMS_COLUMNS)
    else:
        sql, params = qs.query.sql_with_params()
        with connections[qs.db].cursor() as cur:
            cur.execute(sql, params)
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        frame = pl.DataFrame(rows, schema=[(n, SUMS_COLUMNS[n]) for n in names], orient="row")
    return frame.with_columns(pl.col("tagged").fill_null(0))


def sums_evaluation(
    period: Period, frame: pl.DataFrame | None = None, subjects: Sequence[Any] | None = None
) -> dict[str, Any] | None:
    """The period's results from the database's sums (``engine.assess_sums``), or None
    when the rulebook or the facts need the engine's own reduction (tags, years)."""
    rb, _errors, warnings = rulebook_of(period.scheme.rulebook_text)
    c = compile_rulebook(rb)
    if not sums_supported(c) or any(m.tags for m in rb.mapping):
        return None
    frame = sums_frame(period, rb) if frame is None else frame
    if (frame["tagged"] > 0).any():
        return None
    known = pl.col("code").is_in(sorted({i.code for _, i in rb.items()}))
    left = frame.filter(~known).group_by("code").agg(pl.col("n").sum())
    ignored = dict(zip(left["code"].to_list(), left["n"].to_list(), strict=True))
    sums = frame.filter(known).select(
        "subject",
        pl.col("code").alias("item"),
        *(pl.col(k).cast(pl.Float64) for k in ("q", "vq", "v", "v1")),
        pl.col("n").cast(pl.UInt32),
    )
    if subjects is None:
        subjects = list(Subject.objects.filter(period=period).order_by("position"))
    result = assess_sums(rb, sums, subjects_frame(subjects))
    warning = Mapped(ignored=ignored).warning()
    result.warnings.extend([warning] if warning else [])
    result.warnings.extend(warnings)
    return to_json(result)


class StoredResult(NamedTuple):
    """One result row as the close writes it (the fields of :class:`Result`)."""

    unit_id: int | None
    subject: str
    position: int
    score: float | None
    rank: int | None
    category: str
    small_sample: bool
    data: dict[str, Any]


def _copy_results(period: Period, rows: list[StoredResult]) -> None:
    """The results written with one COPY on PostgreSQL (bulk_create elsewhere): 5,000
    JSON documents quoted row by row by the driver took longer than scoring them."""
    connection = connections[Result.objects.db]
    if connection.vendor != "postgresql":
        Result.objects.bulk_create(
            (Result(period=period, **r._asdict()) for r in rows), batch_size=1000
        )
        return

    def text(x: Any) -> str:
        if x is None:
            return "\\N"
        if isinstance(x, bool):
            return "t" if x else "f"
        if isinstance(x, int | float):
            return repr(x)
        return (
            str(x)
            .replace("\\", "\\\\")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )

    columns = ["period_id", *StoredResult._fields]
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    pk = str(period.pk)
    body = "".join(
        "\t".join(
            [
                pk,
                text(r.unit_id),
                text(r.subject),
                text(r.position),
                text(r.score),
                text(r.rank),
                text(r.category),
                text(r.small_sample),
                text(dumps(r.data)),
            ]
        )
        + "\n"
        for r in rows
    )
    table = Result._meta.db_table
    with connection.cursor() as cur:
        raw = cur.cursor  # the driver's own cursor (psycopg 3)
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(body.encode("utf-8"))


def store_results(period: Period) -> tuple[dict[str, Any], list[StoredResult]]:
    """Score the period and store one result per subject; returns the JSON and the rows
    written (in their order)."""
    subjects = list(
        Subject.objects.filter(period=period)
        .order_by("position")
        .values_list("code", "name", "category", "unit_id", "sample", named=True)
    )
    by_code = {s.code: s for s in subjects}
    rb, _e, _w = rulebook_of(period.scheme.rulebook_text)
    # One GROUP BY decides: a large period is scored from it, a small one is scored (with
    # every line) by the engine on the facts.
    frame = sums_frame(period, rb)
    large = int(frame["n"].sum()) > EXPLAIN_MAX
    data = sums_evaluation(period, frame, subjects) if large else None
    if data is None:
        data = evaluate(period.scheme.rulebook_text, counted_facts(period), subjects).data
    Result.objects.filter(period=period).delete()
    minimum = period.scheme.min_matters
    rows = []
    for i, s in enumerate(data["subjects"]):
        subject = by_code.get(s["subject"])
        rows.append(
            StoredResult(
                unit_id=subject.unit_id if subject else None,
                subject=s["subject"],
                position=i,
                score=s["score"],
                rank=s["rank"],
                category=s["category"] or "",
                small_sample=subject is not None and subject.sample < minimum,
                data=s,
            )
        )
    _copy_results(period, rows)
    return data, rows


def stored_json(period: Period) -> dict[str, Any]:
    """A closed period's stored results in the shape of ``assess --json``."""
    rows = Result.objects.filter(period=period).order_by("position")
    return {
        "rulebook": period.rulebook,
        "version": period.scheme.rulebook_version,
        "warnings": list(period.warnings),
        "subjects": [r.data for r in rows],
    }


def subject_lines(period: Period, subject: Subject) -> list[dict[str, Any]] | None:
    """One subject's explanation lines, computed from its own facts — for a period scored
    from the database's sums. Exact when no item is measured against the average of all
    subjects (then None: the lines need every subject's facts)."""
    rb, _e, _w = rulebook_of(period.scheme.rulebook_text)
    if any(i.kind == "rate" and i.target == "average" for _, i in rb.items()):
        return None
    facts = list(Fact.objects.filter(period=period, subject=subject.code).counted().order_by("pk"))
    data = evaluate(period.scheme.rulebook_text, facts, [subject]).data
    lines: list[dict[str, Any]] = data["subjects"][0]["lines"]
    return lines
