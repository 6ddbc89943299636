"""The idle timeout is renewed at most once a minute (SessionRefreshMiddleware), and a
signed-in page view pays no session write in between (issue 6, bench/results/province.md)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xinfang.core.middleware import SESSION_REFRESHED_KEY
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db

DUE = "/petitions/due/"


def _session_writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def _signed_in(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.user_with("handler", cast.unit_a))
    return client


def test_activity_keeps_the_session_and_29_idle_minutes_do_not_end_it(cast: Cast) -> None:
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False) as clock:
        client = _signed_in(cast)
        assert client.get(DUE).status_code == 200
        # Activity every 10 minutes for 40 minutes: longer than the 30-minute timeout.
        for _ in range(4):
            clock.shift(10 * 60)
            assert client.get(DUE).status_code == 200
        # Requests in the last refresh's minute do not renew it: the worst case for idling.
        clock.shift(50)
        assert client.get(DUE).status_code == 200
        clock.shift(29 * 60)
        assert client.get(DUE).status_code == 200


def test_31_idle_minutes_sign_the_user_out(cast: Cast) -> None:
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False) as clock:
        client = _signed_in(cast)
        assert client.get(DUE).status_code == 200
        clock.shift(20 * 60)
        assert client.get(DUE).status_code == 200
        clock.shift(31 * 60)
        response = client.get(DUE)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_session_is_written_at_most_once_a_minute(cast: Cast) -> None:
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False) as clock:
        client = _signed_in(cast)
        with CaptureQueriesContext(connection) as first:
            client.get(DUE)
        assert len(_session_writes(first)) == 1  # no refresh stamp yet: renewed
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(59)
        with CaptureQueriesContext(connection) as within:
            client.get(DUE)
        assert _session_writes(within) == []
        assert Session.objects.get(session_key=key).expire_date == expiry
        clock.shift(1)
        with CaptureQueriesContext(connection) as after:
            response = client.get(DUE)
        assert len(_session_writes(after)) == 1
        assert Session.objects.get(session_key=key).expire_date > expiry
        # The renewed cookie carries the full idle window again.
        assert response.cookies["sessionid"]["max-age"] == 30 * 60
        assert client.session[SESSION_REFRESHED_KEY] == int(time.time())


def test_due_page_of_a_signed_in_handler_runs_seven_queries(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    # session, user, grants, the user's unit, discipline-body paths, rows, pending count:
    # no session write (was 8 with SESSION_SAVE_EVERY_REQUEST).
    client = _signed_in(cast)
    client.get(DUE)
    with django_assert_num_queries(7):
        assert client.get(DUE).status_code == 200


def test_an_anonymous_visit_creates_no_session(cast: Cast) -> None:
    client = Client()
    assert client.get("/login/").status_code == 200
    assert client.get(DUE).status_code == 302
    assert Session.objects.count() == 0
    assert "sessionid" not in client.cookies


def test_an_expired_session_cookie_is_not_renewed(cast: Cast) -> None:
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False) as clock:
        client = _signed_in(cast)
        client.get(DUE)
        clock.shift(31 * 60)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(DUE)
        assert response.status_code == 302
        assert _session_writes(ctx) == []
