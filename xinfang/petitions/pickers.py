"""Pickers of the staff forms: units as the ordered tree, and only the people of the units
a choice concerns (a supervision form offers the responsible unit's handlers as 责任人,
not every account of the province).

``UnitTreeChoiceField`` lists units in tree order (the materialized path), each indented
by its depth, so a township's villages sit under it. ``staff_within`` and ``staff_over``
are the people holding one of an action's roles inside a unit subtree, or on a unit
itself or above it (the leaders whose grant covers it, as ``org.access.can`` reads it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from xinfang.org.access import roles_for
from xinfang.org.choices import AccountKind
from xinfang.org.models import Unit, User
from xinfang.org.querysets import any_subtree_q

__all__ = ["UnitTreeChoiceField", "ancestor_paths", "staff_over", "staff_within", "tree"]

INDENT = "\u3000"  # a full-width space: the tree's indentation in a <select>


def tree(units: Any) -> Any:
    """``units`` in tree order (parents before their children)."""
    return units.order_by("path")


class UnitTreeChoiceField(forms.ModelChoiceField):
    """A unit picker in tree order, each unit indented by its depth."""

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(
            queryset=tree(queryset if queryset is not None else Unit.objects.none()), **kwargs
        )

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(None if queryset is None else tree(queryset))  # type: ignore[misc]

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def label_from_instance(self, obj: Any) -> str:
        return f"{INDENT * int(obj.depth)}{obj.name}"


def ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and of every unit above it (``"1/7/42/"`` → ``"1/"``, …)."""
    parts = [part for part in path.strip("/").split("/") if part]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _staff() -> Any:
    return User.objects.filter(is_active=True, kind=AccountKind.STAFF)


def _ordered(users: Any) -> Any:
    return users.distinct().order_by("unit__path", "pk")


def staff_within(paths: list[str], *actions: str) -> Any:
    """Staff holding a role of ``actions`` on a unit inside one of the ``paths`` subtrees."""
    q = any_subtree_q(paths, "grants__unit__path")
    if q is None:
        return User.objects.none()
    roles = set().union(*(roles_for(action) for action in actions))
    return _ordered(_staff().filter(q, grants__role__in=roles))


def staff_over(paths: list[str], *actions: str) -> Any:
    """Staff whose role of ``actions`` is granted on one of ``paths`` or a unit above it."""
    above = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    if not above:
        return User.objects.none()
    roles = set().union(*(roles_for(action) for action in actions))
    return _ordered(_staff().filter(Q(grants__unit__path__in=above), grants__role__in=roles))
