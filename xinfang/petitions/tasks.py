"""Background tasks (huey): thin wrappers around ``reminders.run_deadline_job`` and the
same-matter search of online submissions (``linking.propose_candidates_for``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from xinfang.petitions.linking import propose_candidates_for
from xinfang.petitions.reminders import run_deadline_job


@db_periodic_task(crontab(minute="7"))
def deadline_job() -> None:
    """Hourly: recompute pending due dates, mark overdue matters, queue and send reminders."""
    run_deadline_job()


@db_task()
def propose_candidates_task(petition_id: int) -> None:
    """After an online or Open311 submission commits: propose earlier same matters."""
    propose_candidates_for(petition_id)
