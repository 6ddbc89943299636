"""Periodic jobs of core: thin wrappers, the work is in plain functions."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.core import outbox
from xinfang.core.audit import append_anchor
from xinfang.core.calendar_notices import queue_calendar_warning


@db_periodic_task(crontab(hour="8", minute="3"))
def daily_calendar_warning() -> None:
    """Every morning: say so when next year's holiday schedule is missing (from 1 October)."""
    queue_calendar_warning()


@db_periodic_task(crontab(minute="*"))
def deliver_outbox() -> None:
    """Every minute: deliver what the outbox holds (the rows are the truth; see outbox)."""
    outbox.dispatch()


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


@db_periodic_task(crontab(hour="3", minute="17"))
def prune_audit_trail() -> int:
    """Every night: remove audit entries past the retention period (never younger than six
    months; see core/retention.py)."""
    from xinfang.core.retention import prune_audit

    return prune_audit().removed
