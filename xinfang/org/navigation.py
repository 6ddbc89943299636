"""The navigation each user sees: only what their roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from xinfang.org.access import has_role
from xinfang.org.choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]  # empty = every staff member


# Apps add their entries here at import time (see each app's ``navigation`` in apps.py).
NAV_ITEMS: list[NavItem] = [
    NavItem("工作台", "dashboard", ()),
    NavItem("单位与人员", "org:unit_list", (Role.ADMINISTRATOR,)),
    NavItem("审计日志", "core:audit_list", (Role.ADMINISTRATOR,)),
]


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)


def items_for(user: Any) -> list[dict[str, str]]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", False):
        return []
    visible = []
    for item in NAV_ITEMS:
        if item.roles and not has_role(user, *item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url})
    return visible


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "nav_items": items_for(user),
        # The same rule as XinfangAdminSite.has_permission (is_staff plays no part).
        "show_admin": bool(
            user
            and getattr(user, "is_authenticated", False)
            and not getattr(user, "is_citizen", False)
            and has_role(user, Role.ADMINISTRATOR)
        ),
    }
