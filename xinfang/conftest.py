"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from xinfang.shell.testing import Cast, build_cast

# "Today" for every test that does not choose its own: a Tuesday well inside a year the
# shipped calendar covers, so that a 90-day period started on it still ends in that year.
# Tests about other days travel there themselves (time-machine nests: the inner one wins).
FROZEN_NOW = "2026-09-01T10:00:00+08:00"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Argon2 is deliberately slow; tests use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploads and exports made by tests go to a throw-away folder, never var/.
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="xinfang-test-media-"))
    # djhuey builds its Huey instance from settings at import time, so switch the instance
    # itself: tasks run inline against in-memory storage, never the var/ queue file.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate_use_memory = True
    HUEY.immediate = True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The shifted-clock run of .ci/run moves Chromium's clock too; it skips browser tests.
    if os.environ.get("XINFANG_SKIP_BROWSER") != "1":
        return
    skip = pytest.mark.skip(reason="XINFANG_SKIP_BROWSER=1")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _frozen_today() -> Iterator[None]:
    """No test depends on the wall clock: time starts at FROZEN_NOW and ticks from there."""
    with time_machine.travel(FROZEN_NOW, tick=True):
        yield


@pytest.fixture
def year_2027_not_entered(db: Any) -> None:
    """The calendar without 2027 and later, whatever the calendar package ships: tests of
    pending due dates keep their meaning once chinese-calendar learns 2027."""
    from xinfang.core.models import CalendarDay, CalendarYear

    CalendarDay.objects.filter(date__year__gte=2027).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()


@pytest.fixture
def cast(db: Any) -> Cast:
    return build_cast()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    # The server runs at the frozen time but Chromium keeps the real clock, so cookies with
    # an expiry computed from the frozen time would already be expired to the browser.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    context = chromium.new_context(locale="zh-CN", base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


_DB_FIXTURES = ("db", "transactional_db", "live_server", "_django_db_helper")


@pytest.fixture(autouse=True)
def _official_calendar(request: pytest.FixtureRequest) -> None:
    """Re-seed the official calendar when a transactional test flushed it.

    The seed migration fills ``CalendarDay``; a transactional test (browser tests with
    ``live_server``) empties every table afterwards, and later tests on the same worker
    would then find no calendar and store every due date as pending.
    """
    names = set(request.fixturenames)
    if not names & set(_DB_FIXTURES):
        return
    for fixture in _DB_FIXTURES:
        if fixture in names:
            request.getfixturevalue(fixture)
            break
    from xinfang.core.calendar_seed import seed_rows
    from xinfang.core.models import CalendarDay, CalendarYear

    if CalendarYear.objects.exists():
        return
    rows, years = seed_rows()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_working_day=w, name=n) for d, w, n in rows], ignore_conflicts=True
    )
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="chinese-calendar") for y in years], ignore_conflicts=True
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Let this run's test databases TRUNCATE the audit table (PostgreSQL).

    The append-only trigger (core migration 0006) refuses TRUNCATE unless the session set
    ``xinfang.audit_truncate``; Django's flush after a transactional test is one TRUNCATE
    of every table. Set for the test database (new connections) and this connection.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {name} SET xinfang.audit_truncate = 'allow'")
                cursor.execute("SET xinfang.audit_truncate = 'allow'")
