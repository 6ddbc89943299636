"""Retention of the audit trail: the oldest entries go, never one younger than the floor.

The Cybersecurity Law (网络安全法) Art. 21 (3) requires network logs to be kept for no less
than six months; ``XINFANG_AUDIT_RETENTION_MONTHS`` (at least 6, default 36) says how long
this platform keeps them. :func:`prune_audit` removes only a prefix of the chain — every
entry before the first one still inside the period — so what remains is one unbroken
chain. Before deleting it appends a signed entry that attests the cut (the last removed
``seq`` and its hash); :func:`xinfang.core.audit.verify_chain` starts from an attested cut
and from nowhere else, so deleting old entries without the job is still a break.

On PostgreSQL the append-only trigger lets a DELETE through only when the session asks for
retention and the row is older than six months by the database's own clock (core migration
0011): even a bug here, or a wrong setting, cannot remove a younger entry.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.models import AuditAction, AuditEntry

MINIMUM_MONTHS = 6


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock time ``months`` calendar months earlier (31 → last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_months() -> int:
    return max(MINIMUM_MONTHS, int(settings.XINFANG_AUDIT_RETENTION_MONTHS))


@dataclass(frozen=True)
class Pruned:
    cutoff: datetime
    removed: int
    floor_seq: int


def prunable_floor(cutoff: datetime) -> int:
    """The last ``seq`` that may go: the entry before the first one at or after the cutoff."""
    first_young = (
        AuditEntry.objects.filter(created_at__gte=cutoff)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if first_young is None:
        # Everything is old; the last entry stays, so the chain keeps its head.
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        return last - 1
    return first_young - 1


@transaction.atomic
def prune_audit(*, now: datetime | None = None, dry_run: bool = False) -> Pruned:
    """Remove the audit entries older than the retention period (a chain prefix)."""
    cutoff = months_before(timezone.localtime(now or timezone.now()), retention_months())
    floor = prunable_floor(cutoff)
    current = audit.retention_floor()
    if floor <= current:
        return Pruned(cutoff, 0, current)
    removed = AuditEntry.objects.filter(seq__lte=floor, seq__gt=current).count()
    if dry_run:
        return Pruned(cutoff, removed, floor)
    floor_hash = AuditEntry.objects.values_list("entry_hash", flat=True).get(seq=floor)
    from xinfang.core.workflow import SYSTEM

    audit.record(
        actor=SYSTEM,
        action=AuditAction.DELETE,
        object_type=audit.RETENTION_OBJECT,
        object_id=f"{current + 1}-{floor}",
        detail={
            audit.FLOOR_SEQ: floor,
            audit.FLOOR_HASH: floor_hash,
            "cutoff": cutoff.isoformat(timespec="seconds"),
            "months": retention_months(),
            "removed": removed,
        },
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL xinfang.audit_retention = 'allow'")
    AuditEntry.objects.filter(seq__lte=floor, created_at__lt=cutoff)._raw_delete(connection.alias)
    return Pruned(cutoff, removed, floor)
