"""On PostgreSQL, let the retention job (and only it) delete audit entries older than six
months.

The append-only trigger of 0009 stays; a row-level DELETE now passes when the session set
``xinfang.audit_retention`` to ``allow`` (``core/retention.py`` does, inside its
transaction, with ``SET LOCAL``) and the row is older than six months by the database's own
clock — the Cybersecurity Law Art. 21 (3) minimum for network logs — so no setting and no
bug in the application can remove a younger entry. UPDATE and TRUNCATE are refused as
before.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

RETENTION = """
CREATE OR REPLACE FUNCTION xinfang_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('xinfang.audit_truncate', true), '') = 'allow' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('xinfang.audit_retention', true), '') = 'allow'
       AND OLD.created_at < now() - interval '6 months' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计记录只可追加:拒绝对 % 执行 %', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

APPEND_ONLY = """
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
"""


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_calendar_chinese_labels"),
    ]

    operations = [
        migrations.RunPython(
            _on_postgresql(RETENTION), _on_postgresql(APPEND_ONLY), elidable=False
        ),
    ]
