"""Named reads and scopes of the petitions app.

A matter is visible to the units on its chain (``PetitionReach``: the registering unit,
every unit it was handed to or through, the review bodies) and to the units above them, via
grants on those subtrees — and never to the accused of an accusation (``confidentiality``).
Child rows (history, attachments) are scoped through their matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Q

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.org.access import granted_paths
from xinfang.org.querysets import any_subtree_q
from xinfang.petitions.choices import Status
from xinfang.petitions.confidentiality import accusation_hidden_q, accused_q

if TYPE_CHECKING:
    from xinfang.petitions.models import Petition

OPEN_STATUSES = (
    Status.REGISTERED,
    Status.ROUTED,
    Status.OBJECTED,
    Status.ACCEPTED,
    Status.IN_HANDLING,
    Status.ANSWERED,
    Status.EVALUATED,
    Status.REVIEW_REQUESTED,
    Status.REVIEWED,
    Status.REREVIEW_REQUESTED,
)


class PetitionQuerySet(RestrictedQuerySet["Petition"]):
    """Matters; ``restrict(user, action)`` keeps those on the user's chain."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.petitions.models import PetitionReach

        reach = any_subtree_q(granted_paths(user, action), "unit_path")
        if reach is None:
            return None
        on_chain = Q(pk__in=PetitionReach.objects.filter(reach).values("petition_id"))
        return on_chain & ~accusation_hidden_q(user)

    def restrict(self, user: Any, action: str = "view") -> PetitionQuerySet:
        return cast(PetitionQuerySet, super().restrict(user, action))

    def open(self) -> PetitionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self) -> PetitionQuerySet:
        return self.filter(is_overdue=True, next_due__isnull=False)

    def due_within(self, days: int, *, today: date) -> PetitionQuerySet:
        """Matters whose running period ends within ``days`` days (or already ended).

        A period still waiting for its year's schedule counts by the earliest day it can end
        on, so staff see it coming rather than losing the clock until the year is entered.
        """
        limit = today + timedelta(days=days)
        return self.filter(
            Q(next_due__isnull=False, next_due__lte=limit)
            | Q(next_due_not_before__isnull=False, next_due_not_before__lte=limit)
        )

    def waiting_for_years(self, years: Iterable[int]) -> PetitionQuerySet:
        """Matters whose due dates are pending one of ``years`` (now covered by the calendar).

        The years a pending matter waits for are those named in its ``deadline_notice``
        (``deadlines.pending_notice``: "2027年、2028年节假日安排未录入…"), which is written
        together with ``deadline_pending`` wherever due dates are computed. The periodic
        recomputation reads only these rows: none, until a missing year is entered.
        """
        # Rows stored pending before provisional dates existed get them on the next pass.
        named = Q(provisional_dues={})
        for year in sorted(set(years)):
            named |= Q(deadline_notice__contains=f"{int(year)}年")
        return self.filter(named, deadline_pending=True)

    def responsible(self, unit_path: str) -> PetitionQuerySet:
        return self.filter(
            responsible_unit__path__gte=unit_path, responsible_unit__path__lt=unit_path + "~"
        )


class PetitionChildQuerySet(RestrictedQuerySet[Any]):
    """Rows that belong to one matter: visible exactly when the matter is."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.petitions.models import Petition

        return Q(petition__in=Petition.objects.restrict(user, action).values("pk"))


class AttachmentQuerySet(PetitionChildQuerySet):
    """Attachments: scoped through their matter."""


class PetitionerQuerySet(PetitionChildQuerySet):
    """Petitioners: through their matter, and a confidential one only to those who need it."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        base = super().scope_q(user, action)
        if base is None:
            return None
        need = granted_paths(user, "register") + granted_paths(user, "handle")
        need_q = None
        for field in ("petition__registering_unit__path", "petition__responsible_unit__path"):
            q = any_subtree_q(need, field)
            if q is not None:
                need_q = q if need_q is None else need_q | q
        visible_identity = Q(wants_confidentiality=False)
        if need_q is not None:
            visible_identity |= need_q & ~accused_q(user, "petition__")
        return base & visible_identity


def visible_petitions(user: Any, action: str = "view") -> PetitionQuerySet:
    """Shortcut used by views and the API."""
    from xinfang.petitions.models import Petition

    return Petition.objects.restrict(user, action)


def petition_for_user(user: Any, pk: Any, action: str = "view") -> Petition:
    """One matter in scope, 404 alike for missing and forbidden."""
    from xinfang.core.querysets import get_object_for_user
    from xinfang.petitions.models import Petition

    return get_object_for_user(Petition.objects.all(), user, action=action, pk=pk)
