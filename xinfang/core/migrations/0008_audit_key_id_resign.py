"""Key the audit chain: every existing entry is checked under the old SHA-256 chain, then
re-signed with HMAC-SM3 under the first key of XINFANG_AUDIT_KEYS.

Why re-sign instead of keeping unkeyed entries as an older format: an unkeyed entry can be
rewritten by anyone, and a verifier that accepts them cannot tell an old entry from a new
one downgraded to the old format (all of them rewritten, hashes recomputed: the informed
tamper of issue 10). After this migration the verifier accepts keyed entries only.

Re-signing must not launder earlier tampering, so the old chain is verified first and the
migration stops on any break: investigate with `xinfang verify_audit` of the previous
release (restore the table from a backup if it was tampered with) before migrating.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, migrations, models

from xinfang.core import audit
from xinfang.core.audit_v1 import entry_hash as _legacy_hash

BATCH = 2000


def _rechain(apps: Any, schema_editor: Any, *, check: Any, sign: Any, key_id: str) -> None:
    entry_model = apps.get_model("core", "AuditEntry")
    head_model = apps.get_model("core", "AuditHead")
    connection = schema_editor.connection if schema_editor else connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(entry_model._meta.db_table)
    # Plain UPDATEs by primary key (executemany): bulk_update's CASE expressions made this
    # ~600 entries/s on PostgreSQL.
    update = f"UPDATE {table} SET key_id = %s, prev_hash = %s, entry_hash = %s WHERE id = %s"  # noqa: S608 - table name from _meta
    old_prev = new_prev = audit.GENESIS
    expected = 1
    batch: list[tuple[str, str, str, int]] = []
    with connection.cursor() as cursor:
        for entry in entry_model.objects.order_by("seq").iterator(chunk_size=BATCH):
            if (
                entry.seq != expected
                or entry.prev_hash != old_prev
                or check(entry, old_prev) != entry.entry_hash
            ):
                raise RuntimeError(
                    f"审计链在第 {entry.seq} 条断裂，拒绝重新签名（否则会掩盖篡改）。"
                    "请先用上一版本的 `xinfang verify_audit` 核查，必要时从备份恢复审计表。"
                )
            old_prev = entry.entry_hash
            entry.key_id = key_id
            entry.prev_hash = new_prev
            new_prev = sign(entry, new_prev)
            batch.append((key_id, entry.prev_hash, new_prev, entry.pk))
            expected += 1
            if len(batch) >= BATCH:
                cursor.executemany(update, batch)
                batch = []
        if batch:
            cursor.executemany(update, batch)
    head_model.objects.filter(pk=1).update(last_seq=expected - 1, last_hash=new_prev)


def resign(apps: Any, schema_editor: Any) -> None:
    # The product's own signing function, on purpose: an installation that upgrades later
    # must end up with entries today's verifier accepts. Should the signed fields ever grow,
    # the new field's migration re-signs again.
    key_id = audit.signing_key_id()
    _rechain(apps, schema_editor, check=_legacy_hash, sign=audit.compute_hash, key_id=key_id)


def unsign(apps: Any, schema_editor: Any) -> None:
    _rechain(apps, schema_editor, check=audit.compute_hash, sign=_legacy_hash, key_id="")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_outbox_admin_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(resign, unsign, elidable=False),
    ]
