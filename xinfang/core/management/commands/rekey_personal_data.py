"""Re-encrypt personal data under the active key and cipher (after a key rotation).

Rotation: put the new key first in ``XINFANG_DATA_KEYS`` (keeping the old ones after it so
existing values still open), run this command, then drop the old keys. Values already
sealed with the active cipher and key are left alone, so the command can be interrupted
and run again. Sealed files registered with ``register_sealed_files`` (attachments) are
re-sealed too. Only the sealed token changes: the search digest (HMAC-SM3 under
``XINFANG_INDEX_KEY``) and the masked text are the same for the same value.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import Q

from xinfang.core import audit, crypto
from xinfang.core.errors import PersonalDataError
from xinfang.core.models import AuditAction
from xinfang.core.personal_data import protected_field_names, sealed_file_rekeyers


def personal_data_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every installed model with ProtectedField attributes, and their names."""
    found = []
    for model in apps.get_models():
        names = sorted(protected_field_names(model))
        if names:
            found.append((model, names))
    return found


def rekey_field(model: type[models.Model], name: str, *, batch_size: int) -> int:
    """Re-seal every ``<name>_token`` of ``model`` not under the active key; return count."""
    ring = crypto.keyring()
    column = f"{name}_token"
    current = f"{ring.cipher_name}:{ring.active_key_id}:"
    stale = model._base_manager.exclude(**{column: ""}).exclude(
        Q(**{f"{column}__startswith": current})
    )
    done = 0
    last_pk: Any = None
    while True:
        page = stale.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page.only("pk", column)[:batch_size])
        if not rows:
            return done
        with transaction.atomic():
            for row in rows:
                setattr(row, column, ring.seal(ring.open(getattr(row, column))))
            model._base_manager.bulk_update(rows, [column])
        done += len(rows)
        last_pk = rows[-1].pk


class Command(BaseCommand):
    help = "用当前密钥和算法重新加密全部个人信息（轮换密钥后运行，可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的记录数")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不改写")

    def handle(self, *args: Any, **options: Any) -> None:
        ring = crypto.keyring()
        counts: dict[str, int] = {}
        for model, names in personal_data_models():
            for name in names:
                label = f"{model._meta.label_lower}.{name}"
                if options["dry_run"]:
                    column = f"{name}_token"
                    prefix = f"{ring.cipher_name}:{ring.active_key_id}:"
                    counts[label] = (
                        model._base_manager.exclude(**{column: ""})
                        .exclude(**{f"{column}__startswith": prefix})
                        .count()
                    )
                else:
                    try:
                        counts[label] = rekey_field(model, name, batch_size=options["batch_size"])
                    except PersonalDataError as exc:
                        # Batches already done stay done; a rerun continues from here.
                        raise CommandError(f"{label}: {exc}") from exc
                self.stdout.write(f"{label}: {counts[label]}")
        for label, rekey in sealed_file_rekeyers().items():
            try:
                counts[label] = rekey(batch_size=options["batch_size"], dry_run=options["dry_run"])
            except PersonalDataError as exc:
                raise CommandError(f"{label}: {exc}") from exc
            self.stdout.write(f"{label}: {counts[label]}")
        total = sum(counts.values())
        if options["dry_run"]:
            self.stdout.write(f"需重新加密 {total} 项（未改写）")
            return
        if total:
            audit.record(
                actor=None,
                action=AuditAction.CHANGE,
                object_type="personal_data",
                object_id="rekey",
                detail={"cipher": ring.cipher_name, "key_id": ring.active_key_id, **counts},
            )
        self.stdout.write(
            f"已用 {ring.cipher_name} / 密钥 {ring.active_key_id} 重新加密 {total} 项"
        )
