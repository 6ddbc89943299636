"""Where a matter may be routed (转送/交办, 条例 Art. 22) and where it goes by default.

The route form offers the units a petition office can sensibly hand a matter to: the
competent bodies of its own government's tree (属地管理、分级负责) — the subtree of the
registering office's territorial level (a county bureau routes within the county, a
township office within the township), never a grid, never the unit that holds the matter
now — in tree order. Art. 30 takes the accused unit, its subtree and the accused person's
unit out of every list (:func:`~xinfang.petitions.confidentiality.may_receive_q`, the one
home of that rule).

It also proposes a default (:func:`proposed_target`):

- an accusation (检举控告, Arts. 22 and 30) goes to the discipline body (纪委监委) of the
  right level: the one that sits directly in the accused unit (independent of it) or,
  failing that, in the nearest unit above it — the county's for a county bureau or a
  township; it is offered even when it lies outside the office's own tree (an accusation
  against a city bureau is for the city's discipline body);
- a litigation-related matter (涉法涉诉, Art. 31) goes to the 政法 body of the office's
  level (政法委, court, procuratorate: ``Unit.is_legal_affairs_body``), 政法委 first.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.choices import Kind
from xinfang.petitions.confidentiality import accused_origin, discipline_body_q, may_receive_q

__all__ = [
    "ANCHOR_LEVELS",
    "indented_label",
    "proposed_target",
    "route_targets",
    "routing_anchor",
]

# The levels of government whose bodies an office routes among.
ANCHOR_LEVELS = frozenset(
    {UnitLevel.PROVINCE, UnitLevel.CITY, UnitLevel.COUNTY, UnitLevel.TOWNSHIP}
)
# Never a target: a grid is a patrol area, not a body that handles matters.
NOT_TARGETS = frozenset({UnitLevel.GRID})


def _chain(unit: Unit) -> list[Unit]:
    """``unit`` and the units above it, deepest first."""
    return list(Unit.objects.filter(pk__in=unit.ancestor_ids()).order_by("-depth"))


def routing_anchor(unit: Unit) -> Unit:
    """The government level ``unit`` belongs to: itself when it is one, else its nearest
    territorial ancestor (a county bureau → the county; a township office → the township);
    the top of its tree when none is."""
    chain = _chain(unit)
    return next((u for u in chain if u.level in ANCHOR_LEVELS), chain[-1])


def _nearest_body(petition: Any, start: Unit, bodies_q: Q, prefer: str = "") -> Unit | None:
    """The body matching ``bodies_q`` that is a direct child of ``start`` or of the nearest
    unit above it with one, among those that may receive ``petition`` (Art. 30)."""
    chain = _chain(start)
    bodies = list(
        Unit.objects.filter(
            bodies_q,
            may_receive_q(petition),
            parent_id__in=[u.pk for u in chain],
            is_active=True,
        ).order_by("path")
    )
    for level in chain:
        here = [b for b in bodies if b.parent_id == level.pk]
        if here:
            return next((b for b in here if prefer and prefer in b.name), here[0])
    return None


def proposed_target(petition: Any) -> Unit | None:
    """The default target of ``petition``'s route, or ``None`` (the clerk picks)."""
    anchor = routing_anchor(petition.registering_unit)
    if petition.kind == Kind.ACCUSATION:
        start = accused_origin(petition) or anchor
        return _nearest_body(petition, start, discipline_body_q())
    if petition.litigation_related:
        return _nearest_body(petition, anchor, Q(is_legal_affairs_body=True), prefer="政法委")
    return None


def route_targets(petition: Any, proposal: Unit | None = None) -> QuerySet[Unit]:
    """The units the route form offers for ``petition``, in tree order."""
    anchor = routing_anchor(petition.registering_unit)
    offered = subtree_q(anchor.path)
    if proposal is not None:
        offered |= Q(pk=proposal.pk)
    return (
        Unit.objects.filter(offered, may_receive_q(petition), is_active=True)
        .exclude(level__in=NOT_TARGETS)
        .exclude(pk=petition.responsible_unit_id)
        .order_by("path")
    )


def indented_label(unit: Unit, top_depth: int, proposal: Unit | None = None) -> str:
    """The unit as the picker shows it: indented by its depth below the anchor."""
    indent = "\u3000" * max(unit.depth - top_depth, 0)
    mark = "（建议）" if proposal is not None and unit.pk == proposal.pk else ""
    return f"{indent}{unit.name}{mark}"
