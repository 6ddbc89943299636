"""Dashboard panels: each app registers what its roles see on the start page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from xinfang.org.access import has_role


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    roles: tuple[str, ...]
    template: str
    data: Callable[[HttpRequest], dict[str, Any]]


PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if all(p.key != panel.key for p in PANELS):
        PANELS.append(panel)


def panels_for(request: HttpRequest) -> list[dict[str, Any]]:
    shown = []
    for panel in PANELS:
        if panel.roles and not has_role(request.user, *panel.roles):
            continue
        shown.append(
            {"title": panel.title, "template": panel.template, "data": panel.data(request)}
        )
    return shown
