"""Background tasks (huey): thin wrappers around ``reminders.run_deadline_job``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.petitions.reminders import run_deadline_job


@db_periodic_task(crontab(minute="7"))
def deadline_job() -> None:
    """Hourly: recompute pending due dates, mark overdue matters, queue and send reminders."""
    run_deadline_job()
