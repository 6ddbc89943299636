"""Named reads of units and grants; the subtree filter every scope is built from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from xinfang.core.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from xinfang.org.models import Unit

# Paths hold digits and "/" only; "~" sorts after both, so [path, path + "~") is the subtree
# as a plain index range scan on every database (no LIKE, no pattern operator class).
PATH_END = "~"


def subtree_q(path: str, field: str = "path") -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_END})


def any_subtree_q(paths: Iterable[str], field: str = "path") -> Q | None:
    """OR of subtree ranges, with paths nested in another path dropped."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if kept and path.startswith(kept[-1]):
            continue
        kept.append(path)
    if not kept:
        return None
    q = Q()
    for path in kept:
        q |= subtree_q(path, field)
    return q


class UnitQuerySet(RestrictedQuerySet["Unit"]):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        """The unit and everything under it: one indexed range query."""
        return self.filter(subtree_q(unit.path))

    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.org.access import granted_paths

        return any_subtree_q(granted_paths(user, action))
