"""One URL-naming style: a route is named after its view (``<noun>_<verb>``), so a
template's ``{% url %}`` says which function answers it."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Named by others: Django's admin and auth views, ninja's API operations, and Open311,
# whose names are GeoReport's resources (services, service, requests, request).
FOREIGN = {"admin", "api", "open311"}


def _routes(patterns: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace not in FOREIGN:
                out += _routes(p.url_patterns, p.namespace or namespace)
        elif p.name:
            out.append((namespace, p))
    return out


def test_every_route_is_named_after_its_view() -> None:
    mismatched = [
        f"{ns}:{p.name} → {p.callback.__name__}"
        for ns, p in _routes(get_resolver().url_patterns)
        if not hasattr(p.callback, "view_class") and p.name != p.callback.__name__
    ]
    assert mismatched == []


def test_the_rule_sees_our_routes() -> None:
    names = {f"{ns}:{p.name}" for ns, p in _routes(get_resolver().url_patterns)}
    assert {"petitions:petition_detail", "ledgers:dispute_list", "supervision:record_act"} <= names
