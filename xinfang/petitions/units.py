"""Unit helpers the petitions workflow needs: territorial levels and the next body up."""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.org.choices import TERRITORIAL_ORDER
from xinfang.org.models import Unit

__all__ = ["front_desk", "highest_level", "next_body_up", "territorial_level"]

_RANK = {str(level): i for i, level in enumerate(TERRITORIAL_ORDER)}


def territorial_level(unit: Unit) -> str:
    """The territorial level a unit stands for: its own, or that of its nearest territorial
    ancestor (a county bureau counts as the county level)."""
    if unit.level in _RANK:
        return str(unit.level)
    ancestors = Unit.objects.filter(pk__in=unit.ancestor_ids()).order_by("-depth")
    for level in ancestors.values_list("level", flat=True):
        if level in _RANK:
            return str(level)
    return ""


def highest_level(levels: Iterable[str]) -> str:
    """The highest of territorial levels (province above city above county …)."""
    ranked = [level for level in levels if level in _RANK]
    return min(ranked, key=_RANK.__getitem__) if ranked else ""


def next_body_up(unit: Unit) -> Unit | None:
    """The body that reviews a decision of ``unit`` (复查/复核机关): its parent unit.

    A township's decision is reviewed by the county; a county bureau's by the county. The
    parent is the simplest faithful reading of "the next body up" in a unit tree; the
    reviewing body can be chosen explicitly when the tree says otherwise.
    """
    return unit.parent if unit.parent_id else None


def front_desk(unit: Unit) -> Unit | None:
    """The petition office (信访工作机构) that registers what reaches ``unit``: the unit
    itself when it is one, else its petition office directly below it (a county's 信访局
    registers what the county leader receives in the reception room)."""
    if unit.is_petition_office:
        return unit
    return (
        Unit.objects.filter(parent=unit, is_petition_office=True, is_active=True)
        .order_by("path")
        .first()
    )
