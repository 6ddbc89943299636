"""Background work of the assessment platform: thin, a service call out.

Idempotent: reminders carry one outbox key per period, phase and unit; refreshing the
derived facts replaces them as a whole.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.assessment.jobs import run_assessment_tick


@db_periodic_task(crontab(minute="30", hour="1"))
def assessment_tick() -> dict[str, Any]:
    """Nightly: collect the derived facts of collecting periods again; remind deadlines."""
    return run_assessment_tick(timezone.localdate())
