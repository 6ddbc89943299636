"""Every route, as anonymous / no grant / granted / other unit; and no route left out."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xinfang.shell.testing import (
    EXEMPT_PREFIXES,
    EXEMPT_ROUTES,
    PERMISSION_CASES,
    Cast,
    RouteCase,
    sign_in,
)


def _load_cases() -> list[RouteCase]:
    for config in apps.get_app_configs():
        if config.name.startswith("xinfang."):
            try:
                importlib.import_module(f"{config.name}.tests.permission_cases")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tests.permission_cases":
                    raise
    return list(PERMISSION_CASES)


CASES = _load_cases()


def _route_names(patterns: list[Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _route_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_named_route_has_a_permission_case() -> None:
    covered = {case.url_name for case in CASES} | set(EXEMPT_ROUTES)
    missing = sorted(
        name
        for name in _route_names(get_resolver().url_patterns)
        if name not in covered and not name.startswith(tuple(EXEMPT_PREFIXES))
    )
    assert missing == [], f"routes without a permission case: {missing}"


def _request(client: Client, case: RouteCase, url: str, obj: Any) -> Any:
    data = case.data(obj) if case.data else {}
    send = getattr(client, case.method)
    if case.method != "get" and "/api/" in url:
        return send(url, data, content_type="application/json", headers=case.headers)
    return send(url, data, headers=case.headers)


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_route_permission_matrix(case: RouteCase, cast: Cast) -> None:
    obj = case.make(cast) if case.make else None
    url = reverse(case.url_name, kwargs=case.kwargs(obj) if case.kwargs else {})
    marker = case.marker(obj) if case.marker else None

    anonymous = _request(Client(), case, url, obj)
    if case.anonymous == "login":
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    elif case.anonymous == "public":
        assert anonymous.status_code < 400
    else:
        assert anonymous.status_code == int(case.anonymous)

    if case.anonymous != "public":
        client = Client()
        client.force_login(cast.no_grant)
        response = _request(client, case, url, obj)
        assert response.status_code == case.no_grant_status, "no grant must see 404"

    granted = Client()
    sign_in(granted, cast.user_with(case.role, getattr(cast, case.grant_unit)))
    response = _request(granted, case, url, obj)
    assert response.status_code == case.ok_status, response.content[:500]
    if marker:
        assert marker in response.content.decode()

    other = Client()
    sign_in(other, cast.user_with(case.role, cast.unit_b, username=f"other-{case.role}"))
    response = _request(other, case, url, obj)
    if case.list_view or case.anonymous == "public":
        assert response.status_code < 400
        if marker:
            assert marker not in response.content.decode(), "other unit sees the object"
    else:
        assert response.status_code == 404, "other unit must see 404"
