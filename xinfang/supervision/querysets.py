"""Scopes and named reads of supervision records.

A supervision record is visible to whoever may view its matter (the petitions scope, reused
as is) and to the supervising unit's subtree — but never to the accused of an accusation
(条例 Art. 30): the supervising unit's branch is cut by the same rule the matter scope uses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.org.access import granted_paths
from xinfang.org.querysets import any_subtree_q
from xinfang.petitions.choices import Kind
from xinfang.petitions.confidentiality import accused_q


def accusation_hidden_q(user: Any) -> Q:
    """Records on accusations in which ``user`` is the accused (unit or person)."""
    return Q(petition__kind=Kind.ACCUSATION) & accused_q(user, "petition__")


class SupervisionQuerySet(RestrictedQuerySet[Any]):
    """Records of one supervision kind; each subclass names its open statuses and due."""

    open_statuses: tuple[str, ...] = ()
    due_field = "due"

    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.petitions.models import Petition

        matter_q = Q(petition__in=Petition.objects.restrict(user, action).values("pk"))
        supervising = any_subtree_q(granted_paths(user, action), "supervising_unit__path")
        if supervising is None:
            return matter_q
        return matter_q | (supervising & ~accusation_hidden_q(user))

    def open(self) -> SupervisionQuerySet:
        return self.filter(status__in=self.open_statuses)

    def overdue(self, today: date) -> SupervisionQuerySet:
        """Open records whose due date has passed (derived, nothing is stored)."""
        return self.open().filter(**{f"{self.due_field}__lt": today})

    def due_within(self, days: int, today: date) -> SupervisionQuerySet:
        from datetime import timedelta

        return self.open().filter(
            **{f"{self.due_field}__gte": today, f"{self.due_field}__lte": today + timedelta(days)}
        )

    def for_unit(self, path: str) -> SupervisionQuerySet:
        """Records whose responsible unit is in the subtree at ``path``."""
        return self.filter(responsible_unit__path__gte=path, responsible_unit__path__lt=path + "~")


class ReminderQuerySet(SupervisionQuerySet):
    open_statuses = ("open",)
    due_field = "reply_due"


class NoticeQuerySet(SupervisionQuerySet):
    open_statuses = ("issued",)
    due_field = "answer_due"


class ListedQuerySet(SupervisionQuerySet):
    open_statuses = ("listed",)
    due_field = "deadline"


class OwnershipQuerySet(SupervisionQuerySet):
    open_statuses = ("active",)
    due_field = "petition__next_due"


class InstructionQuerySet(SupervisionQuerySet):
    open_statuses = ("open",)
    due_field = "due"
