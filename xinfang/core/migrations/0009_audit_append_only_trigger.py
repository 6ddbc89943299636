"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE of the audit entry table in the database.

The model already refuses ``save()`` of a stored entry and ``delete()``; this closes raw SQL,
``QuerySet.update()``/``delete()`` and any other client using the application's role. It is
a guard, not a wall: the table's owner can disable the trigger (see docs/deployment.md for
the stronger setup, where the application's role holds only INSERT and SELECT).

The trigger is row-level for UPDATE and DELETE, so even a one-row edit is refused. TRUNCATE
(statement-level) is refused too, unless the session set ``xinfang.audit_truncate`` to
``allow``: the test suite's databases do (xinfang/conftest.py), because Django empties every
table with one TRUNCATE after each transactional test. Nothing in the application sets it.
SQLite has no such triggers that Django's flush would pass; it gets none.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "core_auditentry"

INSTALL = f"""
CREATE OR REPLACE FUNCTION xinfang_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('xinfang.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计记录只可追加:拒绝对 % 执行 %', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION xinfang_audit_append_only();
CREATE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION xinfang_audit_append_only();
"""

REMOVE = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS xinfang_audit_append_only();
"""


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            # params=None: the PL/pgSQL body has literal % signs (RAISE placeholders).
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_key_id_resign"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(INSTALL), _on_postgresql(REMOVE), elidable=False),
    ]
