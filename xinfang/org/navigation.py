"""The navigation each user sees: only the pages their views let them open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from xinfang.org.guards import view_allows


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation.

    Shown when the view behind ``url_name`` would let the user in (its own ``allows``), so a
    role list kept here could never drift from the view's. ``visible`` replaces that check for
    an entry whose page is not guarded by ``require_roles``.
    """

    label: str
    url_name: str
    # Keyword-only: a role list passed where it used to go fails at start-up, loudly.
    visible: Callable[[Any], bool] | None = field(default=None, kw_only=True)

    def shown_to(self, user: Any) -> bool:
        if self.visible is not None:
            return self.visible(user)
        return view_allows(user, self.url_name)


# Apps add their entries here at import time (see each app's ``navigation`` in apps.py).
NAV_ITEMS: list[NavItem] = [
    NavItem("工作台", "dashboard"),
    NavItem("单位与人员", "org:unit_list"),
    NavItem("审计日志", "shell:audit_list"),
]


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)


def items_for(user: Any) -> list[dict[str, str]]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", False):
        return []
    visible = []
    for item in NAV_ITEMS:
        if not item.shown_to(user):
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
        # Asked of the admin site itself (is_staff plays no part).
        "show_admin": bool(
            user and getattr(user, "is_authenticated", False) and admin.site.has_permission(request)
        ),
    }
