"""Scoped querysets of the grids app: every row follows the subtree of its unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.grids.choices import OPEN_LOG_STATUSES
from xinfang.org.access import granted_paths
from xinfang.org.querysets import any_subtree_q


class UnitScopedQuerySet(RestrictedQuerySet[Any]):
    """Rows of a unit are visible to grants on that unit or any unit above it."""

    unit_field = "unit"

    def scope_q(self, user: Any, action: str) -> Q | None:
        return any_subtree_q(granted_paths(user, action), f"{self.unit_field}__path")


class BoundaryQuerySet(UnitScopedQuerySet):
    pass


class GridScopedQuerySet(UnitScopedQuerySet):
    unit_field = "grid"


class CommunityScopedQuerySet(UnitScopedQuerySet):
    unit_field = "community"


class StreetScopedQuerySet(UnitScopedQuerySet):
    unit_field = "street"


class AddressQuerySet(CommunityScopedQuerySet):
    pass


class LogItemQuerySet(GridScopedQuerySet):
    """Items of a grid; a unit an item was handed to sees that item too."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        paths = granted_paths(user, action)
        own = any_subtree_q(paths, "grid__path")
        handed = any_subtree_q(paths, "handed_to__path")
        if own is None:
            return handed
        return own | handed if handed is not None else own

    def open(self) -> LogItemQuerySet:
        return self.filter(status__in=OPEN_LOG_STATUSES)
