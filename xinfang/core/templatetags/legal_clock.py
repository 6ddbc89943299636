"""Template filters of the legal clock: ``{{ p|due:"handle_due" }}``."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.core.calendar import due_text

register = template.Library()


@register.filter
def due(obj: Any, column: str) -> str:
    """A due column of ``obj``: its date, "待定,不早于 …" while pending, or "—".

    ``obj`` provides ``due_text(column)`` (petitions, ledgers); anything else is read as a
    plain date attribute.
    """
    if hasattr(obj, "due_text"):
        return str(obj.due_text(column))
    return due_text(getattr(obj, column, None))
