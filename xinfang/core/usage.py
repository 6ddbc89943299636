"""When a credential (an API token, an Open311 client key) was last used, to the minute.

A client polling the API would otherwise rewrite and commit the credential's row on every
request; a stamp at most a minute old is left as it is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

__all__ = ["LAST_USED_PRECISION", "touch_last_used"]

LAST_USED_PRECISION = timedelta(minutes=1)


def touch_last_used(record: Any) -> None:
    """Stamp ``record.last_used_at`` with now unless it is fresher than a minute (no query
    then). Conditional: of two workers seeing the same stale stamp, one writes."""
    now = timezone.now()
    if record.last_used_at is not None and now - record.last_used_at < LAST_USED_PRECISION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
    type(record)._default_manager.filter(stale, pk=record.pk).update(last_used_at=now)
    record.last_used_at = now
