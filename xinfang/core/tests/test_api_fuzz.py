"""A bounded fuzz of the whole REST API (schemathesis, issue 10 finding 9).

Every operation of ``/api/schema/`` gets :data:`EXAMPLES` generated requests — valid and
invalid bodies, ids, offsets and types — through the in-process WSGI app, on the test
database, as two roles: a township handler and the county supervisor. No request may
answer 5xx, and every status answered must be one the schema documents. Generation is
derandomized and never shrinks, so a run is the same every time and bounded in time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from xinfang.org.choices import Role
from xinfang.org.tokens import issue_token
from xinfang.petitions.choices import Status
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import Cast

EXAMPLES = 30

ANSWER = {
    "outcome": "explain",
    "facts": "经查",
    "reasons": "依据政策",
    "legal_basis": "《信访工作条例》",
}


def _matters(cast: Cast) -> None:
    """A few matters in the states the fuzzer's ids may land on (ids start low)."""
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a, "fuzz-registrar")
    handler = cast.user_with(Role.HANDLER, cast.unit_a, "fuzz-handler")
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a, "fuzz-leader")
    make_petition(cast, actor=registrar)
    accepted = transition(make_petition(cast, actor=registrar), Status.ACCEPTED, actor=handler)
    transition(accepted, Status.ANSWERED, actor=leader, **ANSWER)
    make_petition(cast, unit=cast.unit_b)


@contextmanager
def _connection_kept_open() -> Iterator[None]:
    """What Django's test client does around a request: the request signals must not close
    the test's connection (on PostgreSQL that would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(headers: dict[str, str]) -> list[str]:
    """Run every operation; return what failed, one line per operation and mode."""
    from xinfang.wsgi import application

    with _connection_kept_open():
        return _fuzz_app(application, headers)


def _fuzz_app(application: Any, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # report every operation
                failures.append(f"{operation.label} ({mode}): {str(exc)[:2000]}")
    return failures


FUZZ = settings(
    max_examples=EXAMPLES // 2,  # per mode: EXAMPLES per operation
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _headers(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(actor=user, user=user, name='fuzz')}"}


# The two roles: who handles matters in a township, and who supervises the whole county.
ROLES = {
    "township_handler": (Role.HANDLER, "unit_a"),
    "county_supervisor": (Role.SUPERVISOR, "county"),
}


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_no_server_error_and_only_documented_statuses(cast: Cast, role: str) -> None:
    _matters(cast)
    grant, unit = ROLES[role]
    user = cast.user_with(grant, getattr(cast, unit), f"fuzz-{role}")
    failures = _fuzz(_headers(user))
    assert not failures, "\n\n".join(failures)
