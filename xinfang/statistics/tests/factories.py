"""Matters for the statistics tests, moved through the workflow on the days given."""

from __future__ import annotations

from datetime import date
from typing import Any

from xinfang.org.choices import Role
from xinfang.org.models import Unit
from xinfang.petitions.choices import Kind
from xinfang.petitions.models import Petition
from xinfang.petitions.tests.factories import make_petition, petitioner_proof
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import Cast

ANSWER = {"outcome": "support", "facts": "属实", "reasons": "职责", "legal_basis": "条例"}


def matter(
    cast: Cast,
    unit: Unit,
    received: date,
    *,
    accepted: date | None = None,
    answered: date | None = None,
    rated: tuple[date, str] | None = None,
    suggestion_outcome: str = "adopted",
    **kwargs: Any,
) -> Petition:
    """A matter registered and handled by ``unit`` itself (its responsible unit)."""
    leader = cast.user_with(Role.UNIT_LEADER, unit, f"stats-leader-{unit.pk}")
    p = make_petition(cast, unit=unit, received_on=received, **kwargs)
    if accepted:
        p = transition(p, "accepted", actor=leader, today=accepted)
    if answered:
        # Art. 29: a suggestion's answer says whether it was adopted.
        outcome = {"suggestion_outcome": suggestion_outcome} if p.kind == Kind.SUGGESTION else {}
        p = transition(p, "answered", actor=leader, today=answered, **ANSWER, **outcome)
    if rated:
        day, rating = rated
        p = transition(
            p, "evaluated", actor=None, petitioner=petitioner_proof(p), today=day, rating=rating
        )
    return p
