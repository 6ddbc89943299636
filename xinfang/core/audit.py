"""The audit chain: every change, transition, export, personal-data read and login.

Call :func:`record` inside the service's transaction. Entries are hash-chained:
``entry_hash = sha256(prev_hash || canonical(entry))``; :func:`verify_chain` walks the
chain and reports the first break.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from xinfang.core.middleware import current_ip
from xinfang.core.models import AuditAction, AuditEntry, AuditHead

__all__ = ["ChainBreak", "record", "snapshot", "verify_chain"]

GENESIS = "0" * 64
REDACTED_FIELDS = frozenset({"password"})


def _canonical(fields: dict[str, Any]) -> str:
    return json.dumps(
        fields, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )


def _hash_fields(entry: AuditEntry) -> dict[str, Any]:
    created = entry.created_at
    return {
        "seq": entry.seq,
        "created_at": created.isoformat() if isinstance(created, datetime) else str(created),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "detail": entry.detail,
        "ip": entry.ip,
    }


def compute_hash(entry: AuditEntry, prev_hash: str) -> str:
    payload = prev_hash + _canonical(_hash_fields(entry))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of a model's concrete fields, for ``before``/``after``."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        # Sealed personal data and password hashes never enter the trail (it is read by
        # administrators and kept for years).
        if getattr(field, "audit_redact", False) or field.name in REDACTED_FIELDS:
            data[field.name] = "***"
            continue
        value = getattr(obj, field.attname)
        data[field.attname] = (
            value if isinstance(value, (int, float, bool, type(None))) else str(value)
        )
    return data


@transaction.atomic
def record(
    *,
    actor: Any,
    action: str | AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain; runs inside the caller's transaction."""
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_obj = actor if getattr(actor, "pk", None) is not None else None
    entry = AuditEntry(
        seq=head.last_seq + 1,
        # Microseconds dropped so the hash is identical after a round trip through any DB.
        created_at=timezone.now().replace(microsecond=0),
        actor=actor_obj,
        actor_label=str(getattr(actor, "username", "") or actor or "")[:150],
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        object_repr=(str(obj) if obj is not None else "")[:200],
        before=before,
        after=after,
        detail=detail,
        ip=ip if ip is not None else current_ip(),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = compute_hash(entry, head.last_hash)
    entry.save()
    AuditHead.objects.filter(pk=head.pk).update(last_seq=entry.seq, last_hash=entry.entry_hash)
    return entry


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.reason}"


def verify_chain() -> list[ChainBreak]:
    """Walk the whole chain in ``seq`` order; return every break found (empty = intact)."""
    breaks: list[ChainBreak] = []
    prev_hash = GENESIS
    expected_seq = 1
    last_seq = 0
    for entry in AuditEntry.objects.order_by("seq", "pk").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            breaks.append(
                ChainBreak(entry.seq, f"序号不连续:应为 {expected_seq}(记录被删除、插入或重排)")
            )
        if entry.prev_hash != prev_hash:
            breaks.append(ChainBreak(entry.seq, "前序哈希不符(记录被删除、插入或重排)"))
        if compute_hash(entry, entry.prev_hash) != entry.entry_hash:
            breaks.append(ChainBreak(entry.seq, "内容哈希不符(记录被修改)"))
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        breaks.append(ChainBreak(last_seq, "链尾与记录头不符(末尾记录被删除或追加)"))
    return breaks
