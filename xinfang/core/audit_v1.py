"""The audit chain's entry hash before issue 10: unkeyed SHA-256. Frozen, never to change.

Core migration ``audit_key_id_resign`` checks an existing chain with it before re-signing
it, and ``bench/audit_chain`` measures the keyed chain against it. Nothing else may use it:
an unkeyed hash can be recomputed by anyone who can write the table.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

__all__ = ["entry_hash"]


def entry_hash(entry: Any, prev_hash: str) -> str:
    created = entry.created_at
    fields = {
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
    canonical = json.dumps(
        fields, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()
