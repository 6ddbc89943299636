"""Background tasks of supervision (huey), thin wrappers around services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.supervision.services import recompute_notice_dues


@db_periodic_task(crontab(minute="17", hour="2"))
def notice_due_job() -> None:
    """Daily: fill in notice answer dues that waited for a year's holiday schedule."""
    recompute_notice_dues()
