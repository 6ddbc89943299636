"""Named reads of the trips app, scoped by the organizing unit's subtree."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.org.access import granted_paths
from xinfang.org.querysets import any_subtree_q
from xinfang.trips.choices import ACTIVE_STATUSES, TripStatus

__all__ = [
    "ExceptionQuerySet",
    "MemberQuerySet",
    "PlanItemQuerySet",
    "TripQuerySet",
    "UnitScopedQuerySet",
]


class UnitScopedQuerySet(RestrictedQuerySet[Any]):
    """Rows of a unit are visible to grants on that unit or any unit above it (the
    approving level is always above the organizing unit)."""

    unit_field = "unit"

    def scope_q(self, user: Any, action: str) -> Q | None:
        if getattr(user, "is_superuser", False):
            return Q()
        return any_subtree_q(granted_paths(user, action), f"{self.unit_field}__path")


class PlanItemQuerySet(UnitScopedQuerySet):
    unit_field = "plan__unit"


class MemberQuerySet(UnitScopedQuerySet):
    unit_field = "trip__unit"


class ExceptionQuerySet(UnitScopedQuerySet):
    unit_field = "trip__unit"


class TripQuerySet(UnitScopedQuerySet):
    def active(self) -> TripQuerySet:
        """Requests that count against other requests' limits (filed, approved, back)."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def report_overdue(self, today: date) -> TripQuerySet:
        return self.filter(
            status=TripStatus.RETURNED, report_filed_on__isnull=True, report_due__lt=today
        )

    def passport_overdue(self, today: date) -> TripQuerySet:
        return self.filter(
            status=TripStatus.RETURNED,
            passport_returned_on__isnull=True,
            passport_due__lt=today,
        )

    def overdue(self, today: date) -> TripQuerySet:
        return self.report_overdue(today) | self.passport_overdue(today)

    def dues_open(self) -> TripQuerySet:
        """Back, with the report or the passports still owed (the reminder job's rows)."""
        return self.filter(status=TripStatus.RETURNED).filter(
            Q(report_filed_on__isnull=True) | Q(passport_returned_on__isnull=True)
        )
