"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE of the audit entries (core migration 0006)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from xinfang.core import audit
from xinfang.core.models import AuditAction, AuditEntry, AuditHead
from xinfang.shell.testing import Cast

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the append-only trigger is installed on PostgreSQL only",
    ),
]

TABLE = connection.ops.quote_name(AuditEntry._meta.db_table)


@pytest.fixture
def entries(cast: Cast) -> None:
    for i in range(3):
        audit.record(actor=cast.no_grant, action=AuditAction.EXPORT, detail={"i": i})


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    return str(info.value)


def test_update_of_an_entry_is_refused_by_the_database(entries: None) -> None:
    message = _refused(f"UPDATE {TABLE} SET actor_label = 'x' WHERE seq = 2")  # noqa: S608 - table name from _meta
    # The trigger's text is in migrations 0009/0011 as written then (half-width colon).
    assert "审计记录只可追加:拒绝对 core_auditentry 执行 UPDATE" in message  # fullwidth: keep
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(entry_hash="0" * 64)
    assert AuditEntry.objects.filter(actor_label="x").count() == 0


def test_delete_of_entries_is_refused_by_the_database(entries: None) -> None:
    assert "执行 DELETE" in _refused(f"DELETE FROM {TABLE} WHERE seq > 1")  # noqa: S608 - table name from _meta
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all()._raw_delete(connection.alias)
    assert AuditEntry.objects.count() == 3


def test_truncate_is_refused_unless_the_session_opted_in(entries: None) -> None:
    # The test databases opt in (xinfang/conftest.py) for Django's flush; the application
    # never does.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL xinfang.audit_truncate = ''")
    assert "执行 TRUNCATE" in _refused(f"TRUNCATE {TABLE}")
    assert AuditEntry.objects.count() == 3


def test_appending_and_moving_the_head_still_work(entries: None, cast: Cast) -> None:
    audit.record(actor=cast.no_grant, action=AuditAction.LOGIN)
    assert AuditHead.objects.get(pk=1).last_seq == 4
    assert audit.verify_chain() == []
