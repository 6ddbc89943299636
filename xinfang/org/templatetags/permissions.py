"""Show a link or a form only to someone who may use it, by the check its view applies.

    {% load permissions %}
    {% may_open "ledgers:dispute_create" as can_create %}{% if can_create %}…{% endif %}
    {% may_act "supervise" shift.roster.unit as can_check %}

``may_open`` asks the target view for its own predicate (``require_roles`` → ``allows``);
``may_act`` is ``org.access.can`` on the object's unit, the rule behind
``get_object_for_user(…, action=…)`` for records that belong to a unit.
"""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.org.access import can
from xinfang.org.guards import view_allows

register = template.Library()


def _unit_path(obj: Any) -> str | None:
    if isinstance(obj, str):
        return obj
    path = getattr(obj, "path", None)
    if isinstance(path, str) and hasattr(obj, "parent_id"):
        return path  # a Unit
    unit = getattr(obj, "unit", None)
    return getattr(unit, "path", None)


@register.simple_tag(takes_context=True)
def may_open(context: template.Context, url_name: str, *args: Any) -> bool:
    request = context.get("request")
    return request is not None and view_allows(request.user, url_name, *args)


@register.simple_tag(takes_context=True)
def may_act(context: template.Context, action: str, obj: Any) -> bool:
    request = context.get("request")
    path = _unit_path(obj)
    return request is not None and path is not None and can(request.user, action, path)
