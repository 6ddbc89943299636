"""The platform's own 403, 404, 500 and CSRF pages: Chinese, in the site style, no debug."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from xinfang.shell.testing import Cast, sign_in
from xinfang.urls import urlpatterns as site_patterns

pytestmark = pytest.mark.django_db


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


# This module is the URL configuration of the tests below: the site plus two failing views.
urlpatterns = [
    path("test-errors/forbidden/", _forbidden),
    path("test-errors/broken/", _broken),
    *site_patterns,
]
errors = override_settings(ROOT_URLCONF=__name__, DEBUG=False)


def _page(response: Any) -> str:
    body = response.content.decode()
    assert 'lang="zh-Hans"' in body and "css/xinfang.css" in body
    assert "Not Found" not in body and "Forbidden" not in body and "Server Error" not in body
    return body


@errors
def test_missing_page_answers_the_chinese_404(cast: Cast) -> None:
    client = Client()
    sign_in(client, cast.user_with("handler", cast.unit_a))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = _page(response)
    assert "页面不存在" in body
    assert "主导航" in body  # the site's own navigation, not a bare page


@errors
def test_missing_page_for_anonymous_visitor_is_chinese_too() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in _page(response)


@errors
def test_refused_action_answers_the_chinese_403(cast: Cast) -> None:
    client = Client()
    sign_in(client, cast.user_with("handler", cast.unit_a))
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "无权操作" in _page(response)


@errors
def test_server_error_answers_the_chinese_500_without_details() -> None:
    response = Client(raise_request_exception=False).get("/test-errors/broken/")
    assert response.status_code == 500
    body = _page(response)
    assert "系统出错" in body
    assert "boom" not in body and "Traceback" not in body


@errors
def test_form_without_csrf_token_answers_the_chinese_csrf_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = _page(response)
    assert "页面已过期" in body
    assert "CSRF verification failed" not in body
