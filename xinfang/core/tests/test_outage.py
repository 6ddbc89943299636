"""Outages answer 503 with Retry-After, oversized numbers 400, never 500 (issue 10, #5)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from unittest import mock

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper
from django.test import Client, RequestFactory

from xinfang.core.outage import RETRY_AFTER_SECONDS, server_error
from xinfang.org.choices import Role
from xinfang.org.tokens import issue_token

HUGE = str(2**64)


def _database_down(error: type[Exception] = OperationalError):
    """Every new cursor fails as during a PostgreSQL restart."""
    return mock.patch.object(
        type(connections["default"]),
        "create_cursor",
        side_effect=error("server closed the connection"),
    )


@pytest.fixture
def handler_client(cast) -> Client:
    client = Client()
    client.force_login(cast.user_with(Role.HANDLER, cast.unit_a))
    # Middleware after the view touches the session too; what escapes there goes to
    # handler500 in production, which the test client would re-raise instead.
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_outage_answers_503_with_retry_after_and_a_chinese_page(
    handler_client, error
) -> None:
    with _database_down(error):
        response = handler_client.get("/petitions/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "请稍后重试" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_database_outage_answers_json_on_the_api(cast) -> None:
    user = cast.user_with(Role.HANDLER, cast.unit_a)
    token = issue_token(actor=user, user=user, name="outage")
    with _database_down():
        response = Client().get("/api/petitions/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "请稍后重试" in response.json()["detail"]


def test_a_database_outage_answers_georeport_errors_on_open311(db) -> None:
    with _database_down():
        response = Client().get("/open311/v2/services.json")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body[0]["code"] == 503 and "请稍后重试" in body[0]["description"]


def test_an_outage_raised_outside_a_view_still_answers_503(handler_client) -> None:
    failing = mock.patch.object(
        SessionMiddleware, "process_response", side_effect=OperationalError("connection lost")
    )
    with failing:
        response = handler_client.get("/petitions/")
    assert response.status_code == 503 and response["Retry-After"]


def test_the_server_error_handler_keeps_500_for_genuine_bugs(db) -> None:
    request = RequestFactory().get("/petitions/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        assert server_error(request).status_code == 503
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert server_error(request).status_code == 500


@pytest.mark.parametrize(
    "url",
    [
        f"/petitions/?page={HUGE}",
        f"/petitions/{HUGE}/",
        f"/petitions/attachments/{HUGE}/",
        f"/ledgers/disputes/?page=-{HUGE}",
        f"/org/units/?page={HUGE}",
    ],
)
def test_numbers_beyond_64_bits_answer_400(handler_client, url) -> None:
    assert handler_client.get(url).status_code == 400


def test_an_api_offset_beyond_64_bits_answers_400(cast) -> None:
    user = cast.user_with(Role.HANDLER, cast.unit_a)
    token = issue_token(actor=user, user=user, name="offset")
    headers = {"Authorization": f"Bearer {token}"}
    for url in (f"/api/petitions/?offset={HUGE}", f"/api/petitions/{HUGE}"):
        response = Client().get(url, headers=headers)
        assert response.status_code == 400, url
        assert response.json()["detail"]


def test_an_id_number_sized_search_is_not_refused(handler_client) -> None:
    # 18 digits fit in 63 bits: searching a number of that size stays a search.
    assert handler_client.get("/petitions/?q=110105194912310021").status_code == 200


def test_the_sqlite_busy_timeout_comes_from_the_setting(settings) -> None:
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    assert options["timeout"] == settings.XINFANG_SQLITE_TIMEOUT
    assert "busy_timeout" not in options.get("init_command", "")


def test_a_locked_sqlite_database_is_waited_for_not_refused(
    settings, tmp_path, django_db_blocker
) -> None:
    """A second writer waits for the first (busy timeout) instead of failing at once."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    path = tmp_path / "locked.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (n INTEGER)")
    setup.commit()
    setup.close()

    locked = threading.Event()

    def first_writer() -> None:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO t VALUES (1)")
        locked.set()
        time.sleep(1.0)
        holder.execute("COMMIT")
        holder.close()

    wrapper = SqliteWrapper({**settings.DATABASES["default"], "NAME": str(path)}, alias="locked")
    thread = threading.Thread(target=first_writer)
    thread.start()
    try:
        assert locked.wait(5)
        started = time.monotonic()
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            # transaction_mode IMMEDIATE: BEGIN takes the write lock, waiting for it.
            cursor.execute("INSERT INTO t VALUES (2)")
        waited = time.monotonic() - started
    finally:
        thread.join()
        wrapper.close()
    check = sqlite3.connect(path)
    assert check.execute("SELECT count(*) FROM t").fetchone() == (2,)
    check.close()
    assert waited >= 0.5


def test_concurrent_sqlite_writers_all_succeed(settings, tmp_path, django_db_blocker) -> None:
    """Four writers, each read-then-write in a transaction, none sees "database is locked"."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    path = tmp_path / "writers.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t (n INTEGER)")
    setup.commit()
    setup.close()
    errors: list[Exception] = []

    def writer(index: int) -> None:
        alias = f"writer{index}"
        db = SqliteWrapper({**settings.DATABASES["default"], "NAME": str(path)}, alias=alias)
        connections[alias] = db  # thread-local: atomic(using=alias) finds it in this thread
        try:
            for _ in range(15):
                # transaction_mode IMMEDIATE: atomic() begins with the write lock.
                with transaction.atomic(using=alias), db.cursor() as cursor:
                    cursor.execute("SELECT coalesce(max(n), 0) FROM t")
                    (last,) = cursor.fetchone()
                    time.sleep(0.005)  # hold the write lock a moment, as a real request does
                    cursor.execute("INSERT INTO t VALUES (%s)", [last + 1])
        except Exception as exc:
            errors.append(exc)
        finally:
            db.close()
            del connections[alias]

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    check = sqlite3.connect(path)
    # Serialised by the write lock: 60 distinct values, no lost update.
    assert check.execute("SELECT count(DISTINCT n), max(n) FROM t").fetchone() == (60, 60)
    check.close()
