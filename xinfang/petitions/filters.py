"""The matter-list filters (``petitions.forms.FilterForm``) applied to a queryset.

One function serves the matter list and the general register export, so the register
always holds exactly the matters the list shows for the same query string.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from xinfang.petitions.person_search import matters_of, open_query

__all__ = ["SORTS", "filter_petitions", "sort_petitions"]

# The matter list's orders (``FilterForm.sort``): each ends on the primary key so pages
# are stable.
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "-received_on": ("收到日期（新→旧）", ("-received_on", "-pk")),
    "received_on": ("收到日期（旧→新）", ("received_on", "pk")),
    "next_due": ("当前期限（近→远）", ("next_due", "pk")),
    "number": ("编号", ("number", "pk")),
    "status": ("状态", ("status", "-received_on", "-pk")),
    "unit": ("责任单位", ("responsible_unit__path", "-received_on", "-pk")),
}


def sort_petitions(qs: Any, key: str) -> Any:
    """``qs`` in the order ``key`` names (the newest first when it names none)."""
    return qs.order_by(*SORTS.get(key, SORTS["-received_on"])[1])


def filter_petitions(qs: Any, cleaned_data: dict[str, Any], *, user: Any) -> Any:
    """``qs`` (already scoped for ``user``) narrowed by a valid ``FilterForm``'s
    ``cleaned_data``; a petitioner search matches only petitioners ``user`` may see."""
    d = cleaned_data
    if d.get("who"):
        query = open_query(d["who"])
        qs = qs.none() if query is None else matters_of(qs, query, user)
    if d["q"]:
        qs = qs.filter(Q(summary__icontains=d["q"]) | Q(number__iexact=d["q"].strip()))
    for field in ("status", "channel", "kind"):
        if d[field]:
            qs = qs.filter(**{field: d[field]})
    if d["matter_type"]:
        qs = qs.filter(Q(matter_type=d["matter_type"]) | Q(matter_type__parent=d["matter_type"]))
    if d["unit"]:
        qs = qs.responsible(d["unit"].path)
    if d["date_from"]:
        qs = qs.filter(received_on__gte=d["date_from"])
    if d["date_to"]:
        qs = qs.filter(received_on__lte=d["date_to"])
    if d["overdue"]:
        qs = qs.overdue()
    return qs
