"""X-Forwarded-Proto is believed only from XINFANG_TRUSTED_PROXIES (issue 10, finding 8a):
a client talking plain HTTP must not pass itself off as HTTPS."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.XINFANG_TRUSTED_PROXIES = ["127.0.0.1"]
    return settings


@pytest.mark.django_db
def test_forwarded_proto_from_an_untrusted_client_is_ignored(behind_proxy: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    response = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301 and response["Location"].startswith("https://")


@pytest.mark.django_db
def test_forwarded_proto_from_a_trusted_proxy_is_believed(behind_proxy: Any) -> None:
    client = Client(REMOTE_ADDR="127.0.0.1")
    response = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_without_trusted_proxies_nobody_is_believed(behind_proxy: Any) -> None:
    behind_proxy.XINFANG_TRUSTED_PROXIES = []
    response = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301
