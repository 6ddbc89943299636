"""The matter-list filters (``petitions.forms.FilterForm``) applied to a queryset.

One function serves the matter list and the general register export, so the register
always holds exactly the matters the list shows for the same query string.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

__all__ = ["filter_petitions"]


def filter_petitions(qs: Any, cleaned_data: dict[str, Any]) -> Any:
    """``qs`` (already scoped) narrowed by a valid ``FilterForm``'s ``cleaned_data``."""
    d = cleaned_data
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
