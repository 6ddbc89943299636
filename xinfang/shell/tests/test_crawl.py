"""Every link and form a page shows is one its user may use.

For each demo account the crawler starts at the dashboard (a citizen at the portal), follows
every same-site link breadth-first and submits every form: GET forms with their default
values, POST forms with their default values inside a savepoint that is rolled back, so the
demo county stays as it was for the next page. An answer of 403, 404 or 500 to any of them
is a link shown to someone who may not use it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from xinfang.org.demo import STAFF, build_demo_county
from xinfang.shell.testing import sign_in

MAX_PAGES = 400
# Pages of one route differ by their object, rarely by the links they show: a few of each
# keep the crawl bounded (and quick) while every route a role reaches is still visited.
PER_ROUTE = 3
BAD = {403, 404, 500}
# Targets that end the session or change the password would cut the crawl short; their
# own tests are in org/tests/test_login.py and test_two_factor.py.
SKIP_POST = ("/logout/", "/password/", "/account/two-factor/")
# Files (PDF, CSV, XLSX) are fetched and checked for their status, not parsed.
HTML = "text/html"


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class PageParser(HTMLParser):
    """Links (``href``, ``hx-get``) and forms with their default values."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        for attr in ("hx-get",):
            if attr in a:
                self.links.append(a[attr])
        if tag == "form":
            method = (a.get("method") or (a.get("hx-post") and "post") or "get").lower()
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or ""
            self._form = Form(action=action, method=method)
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def _same_site(base: str, href: str) -> str | None:
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    url = urldefrag(urljoin(base, href)).url
    parts = urlsplit(url)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    problems: list[str]  # "STATUS METHOD URL (from PAGE)" for each 403, 404 or 500
    visited: int


def crawl(client: Client, start: str) -> Crawl:
    """Breadth-first over links and forms, bounded by ``MAX_PAGES``."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    queue: deque[tuple[str, str, str, list[tuple[str, str]]]] = deque()
    queue.append(("get", start, "(start)", []))
    per_route: dict[tuple[str, str, frozenset[str]], int] = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        method, url, source, data = queue.popleft()
        key = (method, url if method == "get" else url.split("?")[0])
        if key in seen:
            continue
        seen.add(key)
        route = _route(method, url)
        if per_route.get(route, 0) >= PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        pages += 1
        if method == "post":
            status = _probe_post(client, url, data)
            if status in BAD:
                problems.append(f"{status} POST {url} (from {source})")
            continue
        response = client.get(url)
        if response.status_code in BAD:
            problems.append(f"{response.status_code} GET {url} (from {source})")
            continue
        if response.status_code in {301, 302}:
            target = _same_site(url, response["Location"])
            if target and not target.startswith("/login/"):
                queue.append(("get", target, url, []))
            continue
        if HTML not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        parser = PageParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = _same_site(url, href)
            if target:
                queue.append(("get", target, url, []))
        for form in parser.forms:
            target = _same_site(url, form.action or url)
            if not target:
                continue
            if form.method == "get":
                query = urlencode(form.fields)
                path = target.split("?")[0]
                queue.append(("get", f"{path}?{query}" if query else path, url, []))
            elif not target.startswith(SKIP_POST):
                queue.append(("post", target, url, form.fields))
    return Crawl(problems, pages)


def _route(method: str, url: str) -> tuple[str, str, frozenset[str]]:
    path, _sep, query = url.partition("?")
    try:
        name = resolve(path).view_name
    except Resolver404:
        name = path
    keys = frozenset(part.split("=")[0] for part in query.split("&") if part)
    return (method, name, keys)


class _Rollback(Exception):
    pass


def _probe_post(client: Client, url: str, data: list[tuple[str, str]]) -> int:
    """POST the form's defaults and undo whatever it wrote (the session included)."""
    payload: dict[str, Any] = {}
    for name, value in data:
        payload.setdefault(name, []).append(value)
    status = 0
    try:
        with transaction.atomic():
            status = client.post(url, payload).status_code
            raise _Rollback
    except _Rollback:
        pass
    return status


ACCOUNTS = [login for _role, login, *_rest in STAFF]


@pytest.fixture
def demo(db: Any) -> Any:
    return build_demo_county()


@pytest.mark.parametrize("login", ACCOUNTS)
def test_every_link_and_form_a_staff_member_sees_answers(demo: Any, login: str) -> None:
    client = Client(raise_request_exception=False)
    sign_in(client, demo.users[login])
    result = crawl(client, "/dashboard/")
    assert not result.problems, "\n".join(result.problems)
    # A crawler that found nothing to follow would pass as well: every role has pages.
    assert result.visited >= 20


def test_the_crawler_reports_a_link_that_answers_not_found(demo: Any) -> None:
    client = Client(raise_request_exception=False)
    sign_in(client, demo.users["handler"])
    assert crawl(client, "/ledgers/no-such-page/").problems == [
        "404 GET /ledgers/no-such-page/ (from (start))"
    ]


def test_every_link_and_form_a_citizen_sees_answers(demo: Any) -> None:
    client = Client(raise_request_exception=False)
    sign_in(client, demo.users["citizen"])
    result = crawl(client, "/portal/")
    assert not result.problems, "\n".join(result.problems)
    assert result.visited >= 3
