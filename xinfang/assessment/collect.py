"""A period's subjects and derived facts, collected from the records by the providers, and
its stored results.

Derived facts are replaced as a whole each time they are collected (on opening, on demand
and by the nightly job) while the period is before its appeals: by then nobody can have
appealed one. Entered and declared facts are never touched here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xinfang.assessment.choices import FactOrigin, FactStatus
from xinfang.assessment.facts import assessed_units, collect_facts
from xinfang.assessment.models import Fact, Period, Result, Scheme, Subject
from xinfang.assessment.scoring import Evaluation, csv_number, evaluate
from xinfang.core.facts import unit_subject
from xinfang.org.models import Unit
from xinfang.petitions.measures import unit_measures

__all__ = [
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


def derive_facts(period: Period, *, today: date) -> int:
    """Refresh the period's subjects and its derived facts; returns the number of facts."""
    units = subject_units(period.scheme)
    Subject.objects.filter(period=period).delete()
    Subject.objects.bulk_create(
        Subject(
            period=period,
            unit=u,
            code=unit_subject(u),
            name=u.name,
            category=u.category,
            position=i,
            sample=_sample(u, period, today),
        )
        for i, u in enumerate(units)
    )
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


def store_results(period: Period) -> dict[str, Any]:
    """Score the period and store one result per subject; returns the JSON."""
    subjects = {s.code: s for s in Subject.objects.filter(period=period)}
    ev = period_evaluation(period)
    Result.objects.filter(period=period).delete()
    minimum = period.scheme.min_matters
    Result.objects.bulk_create(
        Result(
            period=period,
            unit_id=subjects[s["subject"]].unit_id if s["subject"] in subjects else None,
            subject=s["subject"],
            position=i,
            score=s["score"],
            rank=s["rank"],
            category=s["category"] or "",
            small_sample=s["subject"] in subjects and subjects[s["subject"]].sample < minimum,
            data=s,
        )
        for i, s in enumerate(ev.data["subjects"])
    )
    return ev.data


def stored_json(period: Period) -> dict[str, Any]:
    """A closed period's stored results in the shape of ``assess --json``."""
    rows = Result.objects.filter(period=period).order_by("position")
    return {
        "rulebook": period.rulebook,
        "version": period.scheme.rulebook_version,
        "warnings": list(period.warnings),
        "subjects": [r.data for r in rows],
    }
