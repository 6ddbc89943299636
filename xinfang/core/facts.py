"""The facts contract: one fact row, stable subject codes and the registry of providers.

A **fact** is one thing the records show about a subject in a period — a duty breached (a
deadline passed, a document missing) or a measured rate — under a namespaced **duty key**
(``petitions.route.late``, ``ledgers.zero_report.missing``, ``supervision.notice.unanswered``).
Apps never name a rulebook's item codes: each rulebook maps the duty keys it scores to its
own items in its ``mapping:`` section (``xinfang.assessment``).

Why this lives in ``core`` although the ``assessment`` app owns the contract: imports point
down (``core ← org ← petitions ← {supervision, ledgers} ← assessment``). The apps must build
``Fact`` rows and register their provider from ``AppConfig.ready()``, so the type and the
registry sit below all of them and know no domain; ``assessment`` reads the registry, maps
keys to item codes and scores (``assessment/facts.py``, ``xinfang export_facts``).

Subjects are units. :func:`unit_subject` is the one spelling of a unit's subject code, and
:func:`covering` the one attribution rule: a fact of a unit counts for every assessed
subject whose subtree holds it (a county is measured on its whole tree, like the rates).
The platform derives no staff subjects: facts name units and records, never a person
(domain.md §7, principle 4); per-person rulebooks (pinghu-2012) take entered facts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any, Protocol

from django.db.models import Q
from django.utils import timezone

__all__ = [
    "DUTY_KEY",
    "EXPORT_COLUMNS",
    "Fact",
    "FactWindow",
    "Provider",
    "SubjectUnit",
    "covering",
    "duty_keys",
    "is_duty_key",
    "providers",
    "record_ref",
    "register",
    "unit_subject",
    "write_csv",
]

# ``app.noun[.more].what``, lower case: never a rulebook item code ("1.1", "5.2a", "B1"),
# which all start with a digit or a capital, so the two can share the CSV's item column.
DUTY_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")

# The assessment engine's FACTS.csv columns (assessment/facts_csv.py) followed by where
# each row comes from; ``xinfang assess`` reads the first seven and ignores the rest.
EXPORT_COLUMNS = [
    "subject",
    "item",
    "date",
    "quantity",
    "value",
    "tags",
    "note",
    "evidence",
    "source",
]


def is_duty_key(text: str) -> bool:
    """Whether ``text`` is spelled as a duty key (and so is not an item code)."""
    return bool(DUTY_KEY.match(text))


class SubjectUnit(Protocol):
    """What the contract needs of a unit (``org.Unit``; core does not import org)."""

    pk: int
    admin_code: str
    path: str


def unit_subject(unit: SubjectUnit) -> str:
    """A unit's subject code: its administrative or organisation code, else ``U<pk>``.

    The code an office already uses in its spreadsheets wins; ``U<pk>`` is stable for a
    unit without one (the primary key never changes, a moved unit keeps it)."""
    return unit.admin_code or f"U{unit.pk}"


def record_ref(label: str, pk: object) -> str:
    """A record as evidence: ``app_label.Model:pk``, e.g. ``petitions.Petition:12``."""
    return f"{label}:{pk}"


@dataclass(frozen=True)
class Fact:
    """One fact about one subject.

    ``key`` is the duty key (or, for facts an assessor enters by hand, the rulebook's item
    code); ``quantity`` counts occurrences / persons / days (``None`` for a rate);
    ``value`` is the measured percentage of a rate; ``evidence`` names the record that
    shows it (``record_ref``), ``source`` the provider that derived it, ``note`` says why
    in Chinese — naming matters and units, never a petitioner or a member of staff.
    """

    subject: str
    key: str
    date: date
    quantity: float | None = 1
    value: float | None = None
    tags: str = ""
    note: str = ""
    evidence: str = ""
    source: str = ""

    def row(self) -> list[str]:
        """The row of :data:`EXPORT_COLUMNS`."""

        def num(x: float | None) -> str:
            if x is None:
                return ""
            return str(int(x)) if float(x).is_integer() else f"{x:.2f}"

        return [
            self.subject,
            self.key,
            self.date.isoformat(),
            num(self.quantity),
            num(self.value),
            self.tags,
            self.note,
            self.evidence,
            self.source,
        ]


def write_csv(facts: Iterable[Fact], out: IO[str]) -> int:
    """Write the facts with the header row; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    n = 0
    for fact in facts:
        writer.writerow(fact.row())
        n += 1
    return n


@dataclass(frozen=True)
class FactWindow:
    """The period of an export: facts dated in ``[start, as_of]``, ``as_of = min(end, today)``
    (nothing after today is known yet)."""

    start: date
    end: date
    as_of: date

    @classmethod
    def of(cls, start: date, end: date, today: date | None = None) -> FactWindow:
        today = today or timezone.localdate()
        return cls(start, end, min(end, today))

    def due(self, field: str) -> Q:
        """Due dates whose breach day (``due + 1``) lies in the window."""
        return Q(**{f"{field}__gte": self.start - timedelta(days=1), f"{field}__lt": self.as_of})

    def act(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.as_of})

    def moments(self, field: str) -> Q:
        """Timestamps on the local days of the window (audit entries)."""
        tz = timezone.get_current_timezone()
        first = timezone.make_aware(datetime.combine(self.start, time.min), tz)
        after = timezone.make_aware(datetime.combine(self.as_of + timedelta(days=1), time.min), tz)
        return Q(**{f"{field}__gte": first, f"{field}__lt": after})

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.as_of


def covering(unit_path: str, subjects: Sequence[SubjectUnit]) -> list[SubjectUnit]:
    """The subjects whose subtree holds the unit at ``unit_path`` (itself included), in the
    order of ``subjects``: the subtree range ``[path, path + "~")`` as a prefix test."""
    return [s for s in subjects if unit_path.startswith(s.path)] if unit_path else []


# Subjects are org.Unit rows at run time; typed loosely because core does not import org.
Collect = Callable[[FactWindow, Sequence[Any]], Iterable[Fact]]


@dataclass(frozen=True)
class Provider:
    """An app's facts: ``collect(window, subjects)`` yields facts of the subjects (each
    measured on its subtree), only under the duty keys listed in ``keys`` (key → Chinese
    label; the documented list is docs/assessment.md, "Duty keys")."""

    name: str
    keys: Mapping[str, str]
    collect: Collect = field(compare=False)


_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Register (or replace, so ``ready()`` may run twice) an app's provider."""
    bad = [k for k in provider.keys if not is_duty_key(k) or not k.startswith(provider.name + ".")]
    if bad:
        raise ValueError(f"duty keys must be '{provider.name}.…' and lower case: {bad}")
    _PROVIDERS[provider.name] = provider


def providers() -> list[Provider]:
    """The registered providers, by name."""
    return [_PROVIDERS[name] for name in sorted(_PROVIDERS)]


def duty_keys() -> dict[str, str]:
    """Every registered duty key with its label."""
    return {k: v for p in providers() for k, v in p.keys.items()}
