"""Every page of the admin speaks Chinese: no English field, column or model label."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from xinfang.org.demo import build_demo_county
from xinfang.org.models import User
from xinfang.shell.testing import sign_in

pytestmark = pytest.mark.django_db

# Words that are names, not English labels (formats, standards, products).
ALLOWED = {"API", "Excel", "PDF", "TOTP", "YAML", "Open311", "iCal", "ID", "URL", "HTTPS"}
VOID = {"input", "br", "img", "meta", "link", "hr", "col", "area", "base", "source", "wbr"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,}")


# Where the admin puts labels (data cells, read-only values and JSON are data, not labels).
LABEL_TAGS = {"label", "caption", "h1", "h2", "h3", "legend", "th", "option"}


class Labels(HTMLParser):
    """Text of label elements, of the sidebar's app and model names, of column headers."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag in VOID:
            return
        if "visually-hidden" in classes or (self._open and self._open[-1] == "hidden"):
            # Django's own screen-reader captions ("Add link"), untranslated upstream.
            self._open.append("hidden")
        elif "field-" in classes:
            self._open.append("data")  # a changelist row's first cell: data
        elif tag in LABEL_TAGS or "section" in classes:
            self._open.append(tag)
        elif self._open:
            self._open.append(self._open[-1])

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] not in {"hidden", "data"}:
            self.words.extend(WORD.findall(data))


def _english(body: str) -> set[str]:
    parser = Labels()
    parser.feed(body)
    return {w for w in parser.words if w not in ALLOWED}


def test_every_admin_label_is_chinese() -> None:
    from django.contrib.admin.utils import label_for_field

    english: list[str] = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        names = [str(meta.app_config.verbose_name), str(meta.verbose_name)]
        shown = [*model_admin.list_display, *(model_admin.fields or ()), *model_admin.list_filter]
        for name in shown:
            if isinstance(name, str) and name != "__str__":
                names.append(str(label_for_field(name, model, model_admin)))
        english += [f"{meta.label}: {n}" for n in names if set(WORD.findall(n)) - ALLOWED]
    assert english == []


def _admin_pages() -> list[str]:
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        pages.append(reverse("admin:{}_{}_add".format(*info)))
    return pages


def test_no_admin_page_shows_an_english_label(db: Any) -> None:
    build_demo_county()
    root = User.objects.create_superuser("root-admin", password="x-Xinfang@2026")
    client = Client()
    sign_in(client, root)
    client.get(reverse("admin:index"))
    found: dict[str, set[str]] = {}
    for page in _admin_pages():
        response = client.get(page, follow=True)
        if response.status_code == 403 and page.endswith("/add/"):
            continue  # a read-only table (the audit log)
        assert response.status_code == 200, page
        words = _english(response.content.decode())
        if words:
            found[page] = words
    assert found == {}, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())
