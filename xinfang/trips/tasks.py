"""Background work: a thin periodic task, the day in, a service call out.

Idempotent: every reminder is one outbox row per trip, due and stage (its key), so a double
run or two workers queue nothing twice.
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.trips import services


@db_periodic_task(crontab(minute="10", hour="7"))
def remind_trip_dues() -> int:
    """Every morning: remind the organizing units of trip reports and passports owed."""
    return services.remind_trip_dues(timezone.localdate())
