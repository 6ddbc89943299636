"""The audit chain: every change, transition, export, personal-data read and login.

Call :func:`record` inside the service's transaction. Entries are chained with a keyed
hash: ``entry_hash = HMAC-SM3(key[key_id], prev_hash || canonical(entry))``, so whoever can
write the table but does not hold ``XINFANG_AUDIT_KEYS`` cannot re-sign a rewritten chain.
:func:`verify_chain` walks the chain and reports every break.

A chain that was cut short (its last entries deleted, the head row moved back) or emptied
is still consistent in itself; :func:`append_anchor` therefore writes the signed head to a
file outside the database, and :func:`verify_anchors` compares the chain with every head
anchored there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from xinfang.core.crypto import hmac_sm3, parse_key_list
from xinfang.core.errors import XinfangError
from xinfang.core.middleware import current_ip
from xinfang.core.models import AuditAction, AuditEntry, AuditHead

__all__ = [
    "Anchor",
    "AuditKeyUnknown",
    "ChainBreak",
    "Deferred",
    "append_anchor",
    "compute_hash",
    "deferred",
    "record",
    "record_many",
    "retention_floor",
    "sign_head",
    "signing_key_id",
    "snapshot",
    "verify_anchors",
    "verify_chain",
]

GENESIS = "0" * 64
# The entry by which the retention job (core/retention.py) attests a cut of the chain's
# oldest entries: the last removed seq and its hash, signed like any other entry.
RETENTION_OBJECT = "core.audit_retention"
FLOOR_SEQ = "floor_seq"
FLOOR_HASH = "floor_hash"
REDACTED_FIELDS = frozenset({"password"})
# Domain separation: an entry's MAC can never pass for an anchor's, or the reverse.
ENTRY_PURPOSE = b"xinfang-audit-entry\x00"
ANCHOR_PURPOSE = b"xinfang-audit-anchor\x00"


class AuditKeyUnknown(XinfangError):
    """An entry or anchor names a key id that XINFANG_AUDIT_KEYS does not hold."""


@lru_cache(maxsize=4)
def _audit_keys(spec: str) -> dict[str, bytes]:
    keys = parse_key_list(spec, setting="XINFANG_AUDIT_KEYS")
    max_length = AuditEntry._meta.get_field("key_id").max_length or 0
    if too_long := [key_id for key_id in keys if len(key_id) > max_length]:
        raise ImproperlyConfigured(
            f"XINFANG_AUDIT_KEYS：密钥编号 {too_long[0]!r} 超过 {max_length} 字符"
        )
    return keys


def _key(key_id: str) -> bytes:
    try:
        return _audit_keys(settings.XINFANG_AUDIT_KEYS)[key_id]
    except KeyError:
        raise AuditKeyUnknown(f"签名密钥 {key_id!r} 未配置（XINFANG_AUDIT_KEYS）") from None


def signing_key_id() -> str:
    """The first key of XINFANG_AUDIT_KEYS signs; the others only verify (rotation)."""
    return next(iter(_audit_keys(settings.XINFANG_AUDIT_KEYS)))


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
        "key_id": entry.key_id,
    }


def compute_hash(entry: AuditEntry, prev_hash: str) -> str:
    """The entry's MAC under the key it names; :class:`AuditKeyUnknown` if that is absent."""
    payload = (prev_hash + _canonical(_hash_fields(entry))).encode("utf-8")
    return hmac_sm3(_key(entry.key_id), ENTRY_PURPOSE + payload).hex()


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


class Deferred:
    """The entries of one :func:`deferred` block not yet appended (see there)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.items: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.items)

    def forget_from(self, mark: int) -> None:
        """Drop the entries recorded since ``len()`` was ``mark`` (their savepoint rolled
        back, so what they describe never happened)."""
        del self.items[mark:]

    def flush(self) -> int:
        """Append the entries kept so far to the chain now (a long block flushes as it
        goes, so its memory stays bounded); returns how many."""
        count = record_many(actor=self.actor, items=self.items) if self.items else 0
        self.items = []
        return count


_DEFERRED: ContextVar[tuple[Any, Deferred] | None] = ContextVar("audit_deferred", default=None)


@contextmanager
def deferred(*, actor: Any) -> Iterator[Deferred]:
    """Collect every :func:`record` of the block made by ``actor`` and append them with
    :func:`record_many` (one lock of the head, bulk inserts) at the end of the block, or
    whenever the block calls ``flush()``, in the order they were made: a bulk import
    audits each of its steps in the same chain without three queries per entry. Use it
    inside the caller's transaction; a block that raises appends nothing more (its
    transaction rolls back anyway). An entry of another actor, or one naming its own
    ``ip``, is written at once, as usual. :func:`record` returns an unsaved entry (no
    ``seq`` yet) meanwhile."""
    if _DEFERRED.get() is not None:
        raise RuntimeError("audit.deferred() blocks do not nest")
    pending = Deferred(actor)
    token = _DEFERRED.set((_actor_key(actor), pending))
    try:
        yield pending
    finally:
        _DEFERRED.reset(token)
    pending.flush()  # reached only when the block raised nothing


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
    """Append one entry to the chain; runs inside the caller's transaction (inside
    :func:`deferred`, the entry is kept to be appended at the end of the block)."""
    held = _DEFERRED.get()
    if held is not None and ip is None and held[0] == _actor_key(actor):
        item: dict[str, Any] = {
            "action": action,
            "object_type": object_type or (obj._meta.label_lower if obj is not None else ""),
            "object_id": object_id or (str(obj.pk) if obj is not None else ""),
            "object_repr": (str(obj) if obj is not None else "")[:200],
            "before": before,
            "after": after,
            "detail": detail,
        }
        held[1].items.append(item)
        return AuditEntry(action=str(action), object_type=item["object_type"])
    return _record_now(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        detail=detail,
        ip=ip,
    )


@transaction.atomic
def _record_now(
    *,
    actor: Any,
    action: str | AuditAction,
    obj: models.Model | None,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    detail: dict[str, Any] | None,
    ip: str | None,
) -> AuditEntry:
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
        key_id=signing_key_id(),
    )
    entry.entry_hash = compute_hash(entry, head.last_hash)
    entry.save()
    AuditHead.objects.filter(pk=head.pk).update(last_seq=entry.seq, last_hash=entry.entry_hash)
    return entry


def _actor_key(actor: Any) -> Any:
    return getattr(actor, "pk", None)


@transaction.atomic
def record_many(*, actor: Any, items: Iterable[dict[str, Any]], batch_size: int = 1000) -> int:
    """Append one entry per item (``action``, ``obj`` and the optional fields of
    :func:`record`) under one lock of the head: a bulk import is audited row by row in the
    same chain without paying a round trip to the head per row. Returns the count."""
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    actor_obj = actor if getattr(actor, "pk", None) is not None else None
    label = str(getattr(actor, "username", "") or actor or "")[:150]
    now = timezone.now().replace(microsecond=0)
    key_id = signing_key_id()
    ip = current_ip()
    seq, prev = head.last_seq, head.last_hash
    pending: list[AuditEntry] = []
    count = 0
    for item in items:
        obj = item.get("obj")
        seq += 1
        entry = AuditEntry(
            seq=seq,
            created_at=now,
            actor=actor_obj,
            actor_label=label,
            action=str(item["action"]),
            object_type=item.get("object_type") or (obj._meta.label_lower if obj else ""),
            object_id=item.get("object_id") or (str(obj.pk) if obj is not None else ""),
            object_repr=item.get("object_repr") or (str(obj) if obj is not None else "")[:200],
            before=item.get("before"),
            after=item.get("after"),
            detail=item.get("detail"),
            ip=ip,
            prev_hash=prev,
            key_id=key_id,
        )
        entry.entry_hash = prev = compute_hash(entry, prev)
        pending.append(entry)
        count += 1
        if len(pending) >= batch_size:
            AuditEntry.objects.bulk_create(pending)
            pending = []
    if pending:
        AuditEntry.objects.bulk_create(pending)
    AuditHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=prev)
    return count


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.reason}"


def _attested_cuts() -> dict[int, str]:
    cuts: dict[int, str] = {}
    for detail in AuditEntry.objects.filter(
        object_type=RETENTION_OBJECT, action=AuditAction.DELETE
    ).values_list("detail", flat=True):
        if isinstance(detail, dict) and isinstance(detail.get(FLOOR_SEQ), int):
            cuts[detail[FLOOR_SEQ]] = str(detail.get(FLOOR_HASH, ""))
    return cuts


def retention_floor() -> int:
    """The last seq removed by retention (0: nothing removed); attested, or 0 if not."""
    first = AuditEntry.objects.order_by("seq").values_list("seq", "prev_hash").first()
    if first is None or first[0] == 1:
        return 0
    cut = _attested_cuts().get(first[0] - 1)
    return first[0] - 1 if cut == first[1] else 0


def verify_chain() -> list[ChainBreak]:
    """Walk the whole chain in ``seq`` order; return every break found (empty = intact).

    The chain starts at the genesis, or right after a cut that a retention entry still in
    the chain attests (its seq and hash); any other missing prefix is a break.
    """
    breaks: list[ChainBreak] = []
    prev_hash = GENESIS
    expected_seq = 1
    last_seq = 0
    floor = retention_floor()
    if floor:
        expected_seq = floor + 1
        prev_hash = _attested_cuts()[floor]
        last_seq = floor
    for entry in AuditEntry.objects.order_by("seq", "pk").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            breaks.append(
                ChainBreak(entry.seq, f"序号不连续：应为 {expected_seq}（记录被删除、插入或重排）")
            )
        if entry.prev_hash != prev_hash:
            breaks.append(ChainBreak(entry.seq, "前序哈希不符（记录被删除、插入或重排）"))
        try:
            if compute_hash(entry, entry.prev_hash) != entry.entry_hash:
                breaks.append(
                    ChainBreak(entry.seq, "内容哈希不符（记录被修改，或哈希未经密钥重算）")
                )
        except AuditKeyUnknown as exc:
            breaks.append(ChainBreak(entry.seq, f"{exc}，无法校验（或记录系伪造）"))
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        breaks.append(ChainBreak(last_seq, "链尾与记录头不符（末尾记录被删除或追加）"))
    return breaks


# ---------------------------------------------------------------------------------------
# Anchors: the signed head, kept outside the database


@dataclass(frozen=True)
class Anchor:
    """The chain's last entry at one moment, signed: one line of the anchor file."""

    seq: int
    hash: str
    at: str
    key_id: str
    mac: str = ""

    def expected_mac(self) -> str:
        message = f"{self.seq}|{self.hash}|{self.at}|{self.key_id}".encode("ascii")
        return hmac_sm3(_key(self.key_id), ANCHOR_PURPOSE + message).hex()

    def line(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":")) + "\n"


def sign_head() -> Anchor:
    """The last entry actually in the table (not the head row, which an intruder may move)."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, entry_hash = last if last is not None else (0, GENESIS)
    unsigned = Anchor(
        seq=seq,
        hash=entry_hash,
        at=timezone.now().isoformat(timespec="seconds"),
        key_id=signing_key_id(),
    )
    return replace(unsigned, mac=unsigned.expected_mac())


def append_anchor(path: str | Path) -> Anchor:
    """Append the signed head to ``path`` as one line, durably (O_APPEND, fsync)."""
    path = Path(path)
    anchor = sign_head()
    created = not path.exists()
    # O_APPEND: never seek, never overwrite what an earlier run wrote.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, anchor.line().encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        # The new directory entry must survive a crash too.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return anchor


def _read_anchors(path: Path, breaks: list[ChainBreak]) -> list[tuple[int, Anchor]]:
    anchors: list[tuple[int, Anchor]] = []
    previous_seq = 0
    with path.open(encoding="ascii", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                anchor = Anchor(**json.loads(line))
                valid = int(anchor.seq) == anchor.seq and anchor.mac == anchor.expected_mac()
            except AuditKeyUnknown as exc:
                breaks.append(ChainBreak(0, f"锚点文件第 {number} 行：{exc}"))
                continue
            except (ValueError, TypeError):
                valid = False
            if not valid:
                breaks.append(ChainBreak(0, f"锚点文件第 {number} 行签名不符（锚点被篡改或伪造）"))
                continue
            if anchor.seq < previous_seq:
                breaks.append(
                    ChainBreak(anchor.seq, f"锚点文件第 {number} 行序号倒退（锚点文件被改动）")
                )
            previous_seq = max(previous_seq, anchor.seq)
            anchors.append((number, anchor))
    return anchors


def _batches(items: list[tuple[int, Anchor]], size: int) -> Iterator[list[tuple[int, Anchor]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def verify_anchors(path: str | Path) -> list[ChainBreak]:
    """Compare the chain with every head anchored in ``path``; return what disagrees.

    An anchored entry that is missing means the chain was cut short (or emptied); one whose
    hash differs means the chain was rewritten from that entry on, or earlier.
    """
    path = Path(path)
    if not path.is_file():
        return [ChainBreak(0, f"锚点文件 {path} 不存在或不可读")]
    breaks: list[ChainBreak] = []
    anchors = _read_anchors(path, breaks)
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    floor = retention_floor()
    # Entries at or below an attested retention cut are gone on purpose.
    anchors = [(number, anchor) for number, anchor in anchors if anchor.seq > floor]
    for batch in _batches(anchors, 1000):
        stored = dict(
            AuditEntry.objects.filter(seq__in={a.seq for _, a in batch}).values_list(
                "seq", "entry_hash"
            )
        )
        for number, anchor in batch:
            if anchor.seq == 0:
                continue
            found = stored.get(anchor.seq)
            if found is None and anchor.seq > last:
                breaks.append(
                    ChainBreak(
                        anchor.seq,
                        f"审计链被截短：{anchor.at} 锚定到第 {anchor.seq} 条，"
                        f"库中只到第 {last} 条（锚点文件第 {number} 行）",
                    )
                )
            elif found is None:
                breaks.append(
                    ChainBreak(anchor.seq, f"锚定的记录已被删除（锚点文件第 {number} 行）")
                )
            elif found != anchor.hash:
                breaks.append(
                    ChainBreak(
                        anchor.seq,
                        f"记录哈希与 {anchor.at} 的锚点不符：链被改写（锚点文件第 {number} 行）",
                    )
                )
    return breaks
