"""The API: the OpenAPI schema, token authentication and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from xinfang.api import StaffSessionAuth, TokenAuth
from xinfang.core.models import AuditAction, AuditEntry
from xinfang.org import services
from xinfang.org.models import ApiToken
from xinfang.org.tokens import issue_token, user_for_token
from xinfang.shell.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_schema_is_served_as_openapi_json() -> None:
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "信访工作平台 API"


def test_issued_token_authenticates_its_user(cast: Cast) -> None:
    user = cast.user_with("handler", cast.unit_a)
    token = issue_token(actor=user, user=user, name="测试")
    assert token.startswith("xf_")
    record = ApiToken.objects.get(user=user)
    assert record.digest != token and token not in record.digest  # only the digest is kept
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="org.apitoken").exists()
    request = RequestFactory().get("/api/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert TokenAuth()(request) == user
    record.refresh_from_db()
    assert record.last_used_at is not None


def test_a_tokens_last_use_is_written_at_most_once_a_minute(cast: Cast) -> None:
    user = cast.user_with("handler", cast.unit_a)
    token = issue_token(actor=user, user=user, name="测试")
    start = timezone.now()

    def used_at(seconds: int) -> object:
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            assert user_for_token(token) == user
        return ApiToken.objects.get(user=user).last_used_at

    first = used_at(0)
    assert first == start
    assert used_at(59) == first  # within the minute: the row is not rewritten
    assert used_at(60) == start + timedelta(seconds=60)


def test_a_token_used_again_within_the_minute_writes_nothing(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = cast.user_with("handler", cast.unit_a)
    token = issue_token(actor=user, user=user, name="测试")
    user_for_token(token)
    with CaptureQueriesContext(connection) as queries:
        assert user_for_token(token) == user
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_revoked_token_fails(cast: Cast) -> None:
    user = cast.user_with("handler", cast.unit_a)
    token = issue_token(actor=user, user=user, name="测试")
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    request = RequestFactory().get("/api/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert TokenAuth()(request) is None
    assert user_for_token(token) is None


def test_unknown_token_and_inactive_user_fail(cast: Cast) -> None:
    user = cast.user_with("handler", cast.unit_a)
    token = issue_token(actor=user, user=user, name="测试")
    assert user_for_token("xf_" + "a" * 43) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert user_for_token(token) is None


def test_citizen_cannot_hold_a_working_token(db: None) -> None:
    citizen = services.create_citizen(actor=None, phone="13700000008", password=PASSWORD)
    token = issue_token(actor=None, user=citizen, name="不应可用")
    assert user_for_token(token) is None


def test_session_auth_accepts_staff_only(cast: Cast) -> None:
    citizen = services.create_citizen(actor=None, phone="13700000007", password=PASSWORD)
    staff = cast.user_with("handler", cast.unit_a)
    auth = StaffSessionAuth()
    request = RequestFactory().get("/api/")
    request.user = staff
    assert auth.authenticate(request, "session") == staff
    request.user = citizen
    assert auth.authenticate(request, "session") is None


def test_issue_api_token_command_prints_a_working_token(cast: Cast) -> None:
    import io

    from django.core.management import call_command

    user = cast.user_with("handler", cast.unit_a, username="api-user")
    out = io.StringIO()
    call_command("issue_api_token", "api-user", "--name", "脚本", stdout=out)
    assert user_for_token(out.getvalue().strip()) == user
