"""Background work of core: thin periodic task, a service call out."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.core.audit import append_anchor


@db_periodic_task(crontab(minute="*/10"))
def anchor_audit_head() -> int | None:
    """Every ten minutes: append the signed audit head to XINFANG_AUDIT_ANCHOR_FILE, if set.

    Entries written since the last anchor are the ones a truncation could remove unseen, so
    the interval bounds what can be lost without trace.
    """
    path = settings.XINFANG_AUDIT_ANCHOR_FILE
    if not path:
        return None
    return append_anchor(path).seq
