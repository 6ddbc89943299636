"""Scoped reads of the assessment platform.

Two sides see a period: the assessing office (``assess`` over the scheme's assessing unit)
sees everything in it; the staff of a subject unit (any grant over it) see its own facts,
results and appeals, and the period they belong to — never another subject's facts. Acting
for the unit (declaring, appealing) needs ``handle`` over it: its handlers and leaders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.org.access import granted_paths
from xinfang.org.querysets import any_subtree_q

__all__ = [
    "AppealQuerySet",
    "FactQuerySet",
    "PeriodQuerySet",
    "RatingQuerySet",
    "ResultQuerySet",
    "SchemeQuerySet",
    "ancestors_q",
    "unit_side_paths",
]

# The action that lets a unit's staff act for it in an assessment (declare, appeal).
UNIT_ACTION = "handle"


def unit_side_paths(user: Any) -> list[str]:
    """Where ``user`` reads as a subject unit: every unit they hold a grant over."""
    return granted_paths(user, "view")


def ancestors_q(paths: list[str], field: str) -> Q | None:
    """Rows whose unit (``field`` a path) is one of ``paths`` or above one of them."""
    prefixes: set[str] = set()
    for path in paths:
        parts = path.strip("/").split("/")
        prefixes.update("/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
    return Q(**{f"{field}__in": sorted(prefixes)}) if prefixes else None


def _either(*qs: Q | None) -> Q | None:
    kept = [q for q in qs if q is not None]
    if not kept:
        return None
    out = kept[0]
    for q in kept[1:]:
        out |= q
    return out


class SchemeQuerySet(RestrictedQuerySet[Any]):
    def scope_q(self, user: Any, action: str) -> Q | None:
        office = any_subtree_q(granted_paths(user, "assess"), "assessing_unit__path")
        if action == "assess":
            return office
        return _either(office, ancestors_q(unit_side_paths(user), "assessing_unit__path"))


class PeriodQuerySet(RestrictedQuerySet[Any]):
    def scope_q(self, user: Any, action: str) -> Q | None:
        field = "scheme__assessing_unit__path"
        office = any_subtree_q(granted_paths(user, "assess"), field)
        if action == "assess":
            return office
        return _either(office, ancestors_q(unit_side_paths(user), field))


class _SubjectScoped(RestrictedQuerySet[Any]):
    """Rows about one subject unit: the office sees all, the unit its own subtree's."""

    period_field = "period"
    unit_field = "unit"

    def scope_q(self, user: Any, action: str) -> Q | None:
        office = any_subtree_q(
            granted_paths(user, "assess"), f"{self.period_field}__scheme__assessing_unit__path"
        )
        if action == "assess":
            return office
        own = any_subtree_q(unit_side_paths(user), f"{self.unit_field}__path")
        return _either(office, own)


class FactQuerySet(_SubjectScoped):
    def counted(self) -> FactQuerySet:
        from xinfang.assessment.choices import COUNTED_FACT_STATUSES

        return self.filter(status__in=COUNTED_FACT_STATUSES)


class AppealQuerySet(_SubjectScoped):
    def pending(self) -> AppealQuerySet:
        from xinfang.assessment.choices import AppealStatus

        return self.filter(status=AppealStatus.PENDING)


class ResultQuerySet(_SubjectScoped):
    pass


class RatingQuerySet(RestrictedQuerySet[Any]):
    """Ratings: the office sees its periods' (their completion; no page shows a score);
    a rater only the ratings assigned to them — a leader their own (``lead`` over the
    unit they rate for), a peer unit's to its handlers (``handle``). The rated unit sees
    none: its staff's grants over it give nothing here."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        office = any_subtree_q(
            granted_paths(user, "assess"), "period__scheme__assessing_unit__path"
        )
        if action == "assess":
            return office
        return _either(office, _rater_q(user))

    def assigned_to(self, user: Any) -> RatingQuerySet:
        """The ratings ``user`` gives (not those the office sees)."""
        q = _rater_q(user)
        return self.filter(q) if q is not None else self.none()


def _rater_q(user: Any) -> Q | None:
    peer = any_subtree_q(granted_paths(user, UNIT_ACTION), "rater_unit__path")
    leader = any_subtree_q(granted_paths(user, "lead"), "rater_unit__path")
    return _either(
        Q(kind="peers") & peer if peer is not None else None,
        Q(kind="leaders", rater_user_id=user.pk) & leader if leader is not None else None,
    )
