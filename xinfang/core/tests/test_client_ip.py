"""The client's address behind a trusted reverse proxy (XINFANG_TRUSTED_PROXIES)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from xinfang.core.middleware import client_ip


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings: Any) -> None:
    settings.XINFANG_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_nginx_the_forwarded_address_is_the_client(settings: Any) -> None:
    settings.XINFANG_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("127.0.0.1", "198.51.100.1")) == "198.51.100.1"


def test_a_client_cannot_forge_its_address_through_the_header(settings: Any) -> None:
    # nginx appends the real peer ($proxy_add_x_forwarded_for): only the right-most
    # untrusted hop is believed, whatever the client put before it.
    settings.XINFANG_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    request = _request("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3")
    assert client_ip(request) == "198.51.100.1"


def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address(settings: Any) -> None:
    settings.XINFANG_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "127.0.0.1"])
def test_missing_or_broken_forwarding_falls_back_to_the_proxy(
    settings: Any, forwarded: str | None
) -> None:
    settings.XINFANG_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("127.0.0.1", forwarded)) == "127.0.0.1"


def test_ipv6_proxies_and_clients(settings: Any) -> None:
    settings.XINFANG_TRUSTED_PROXIES = ["::1"]
    assert client_ip(_request("::1", "2001:db8::5")) == "2001:db8::5"
