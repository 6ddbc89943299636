"""The facts of an assessment: every registered provider's facts for the assessed units.

The fact type, the subject codes and the registry are in :mod:`xinfang.core.facts` (below
every app, so each app registers its provider from ``AppConfig.ready()``); this module owns
what assessment does with them: choosing the subjects, collecting every provider's facts,
and writing the FACTS.csv that ``xinfang assess`` reads. Turning duty keys into item codes
is the rulebook's ``mapping`` (``engine/mapping.py``), so one export serves every rulebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Q

from xinfang.core.facts import Fact, FactWindow, providers, unit_subject
from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q

__all__ = ["assessed_units", "collect_facts", "find_unit"]


def find_unit(key: str) -> Unit | None:
    """The unit of an administrative / organisation code or a primary key."""
    return Unit.objects.filter(
        Q(admin_code=key) | Q(pk=int(key) if key.isdigit() else None)
    ).first()


def assessed_units(within: Unit | None = None) -> list[Unit]:
    """The subjects: active units with an assessment category, inside ``within``'s subtree."""
    units = Unit.objects.filter(is_active=True).exclude(category="")
    if within is not None:
        units = units.filter(subtree_q(within.path))
    return list(units.order_by("path"))


def collect_facts(
    start: date,
    end: date,
    subjects: Sequence[Unit],
    *,
    today: date | None = None,
    only: Iterable[str] | None = None,
) -> list[Fact]:
    """Every provider's facts of ``[start, end]`` (as of ``min(end, today)``) for
    ``subjects``, ordered by subject (as given), provider, then as each provider orders
    them. ``only`` limits the providers by name."""
    window = FactWindow.of(start, end, today)
    wanted = None if only is None else set(only)
    rank = {unit_subject(u): i for i, u in enumerate(subjects)}
    facts: list[Fact] = []
    for provider in providers():
        if wanted is None or provider.name in wanted:
            facts.extend(provider.collect(window, subjects))
    return sorted(facts, key=lambda f: rank.get(f.subject, len(rank)))
