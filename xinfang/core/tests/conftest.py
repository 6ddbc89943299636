"""Fixtures of core's tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from xinfang.core.models import AuditEntry


@pytest.fixture
def owner_disabled_the_trigger(db: Any) -> None:
    """Tamper tests play an intruder holding the table owner's role, who can switch off the
    append-only trigger (core migration 0006) — the case the keyed chain and the anchor are
    for. Rolled back with the test's transaction. Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
