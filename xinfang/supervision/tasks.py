"""Background tasks of supervision (huey), thin wrappers around services.

Also imports the documents package's tasks so the huey consumer (which autodiscovers the
``tasks`` module of each installed app) registers the register-export task.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.petitions.documents import tasks as _documents_tasks  # noqa: F401 - registers
from xinfang.supervision.services import recompute_notice_dues


@db_periodic_task(crontab(minute="17", hour="2"))
def notice_due_job() -> None:
    """Daily: fill in notice answer dues that waited for a year's holiday schedule."""
    recompute_notice_dues()
