"""Scoped querysets of the ledgers: every row belongs to a unit and follows its subtree."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.ledgers.choices import OPEN_DISPUTE_STATUSES, PublishStatus, ReportStatus
from xinfang.org.access import granted_paths
from xinfang.org.models import Unit
from xinfang.org.querysets import any_subtree_q, subtree_q


class UnitScopedQuerySet(RestrictedQuerySet[Any]):
    """Rows of a unit are visible to grants on that unit or any unit above it."""

    unit_field = "unit"

    def scope_q(self, user: Any, action: str) -> Q | None:
        return any_subtree_q(granted_paths(user, action), f"{self.unit_field}__path")

    def in_subtree(self, unit: Any) -> UnitScopedQuerySet:
        return self.filter(subtree_q(unit.path, f"{self.unit_field}__path"))


class ScreeningRoundQuerySet(UnitScopedQuerySet):
    def unfiled(self) -> ScreeningRoundQuerySet:
        return self.filter(filed_at__isnull=True)

    def overdue(self, today: date) -> ScreeningRoundQuerySet:
        """Rounds not filed although their due date has passed (a unit that did not screen)."""
        return self.filter(filed_at__isnull=True, due_date__lt=today, due_pending=False)


class DisputeQuerySet(UnitScopedQuerySet):
    def open(self) -> DisputeQuerySet:
        return self.filter(status__in=OPEN_DISPUTE_STATUSES)

    def overdue(self, today: date) -> DisputeQuerySet:
        return self.open().filter(deadline__lt=today)


class ShiftQuerySet(UnitScopedQuerySet):
    unit_field = "roster__unit"


class ReportDueQuerySet(UnitScopedQuerySet):
    def outstanding(self) -> ReportDueQuerySet:
        return self.filter(status=ReportStatus.DUE)

    def overdue(self, now: datetime) -> ReportDueQuerySet:
        return self.filter(status=ReportStatus.DUE, due_at__lt=now, due_pending=False)


class ReceptionSlotQuerySet(UnitScopedQuerySet):
    def published(self) -> ReceptionSlotQuerySet:
        return self.filter(status=PublishStatus.PUBLISHED)


class CampaignChildQuerySet(UnitScopedQuerySet):
    unit_field = "campaign__unit"


class CampaignQuerySet(UnitScopedQuerySet):
    """A campaign is seen by its organising unit's subtree and by its participants."""

    scope_needs_distinct = True

    def scope_q(self, user: Any, action: str) -> Q | None:
        paths = granted_paths(user, action)
        own = any_subtree_q(paths, "unit__path")
        if own is None:
            return None
        participant = any_subtree_q(paths, "participants__path")
        return own | participant if participant is not None else own


class ReceptionQuerySet(UnitScopedQuerySet):
    """Reception records: the unit's subtree, and the front desk (the petition office
    directly below the unit, ``petitions.units.front_desk``), which registers what the
    leader received as matters."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        own = super().scope_q(user, action)
        if action not in ("view", "register"):
            return own
        desks = granted_paths(user, "register")
        if not desks:
            return own
        above = Unit.objects.filter(
            children__is_petition_office=True, children__path__in=desks
        ).values("pk")
        desk_q = Q(unit__in=above)
        return desk_q if own is None else own | desk_q
