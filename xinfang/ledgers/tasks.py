"""Background work: thin periodic task, ids/time in, a service call out.

The job is idempotent (compare-and-swap on ``reminded_at`` and ``status``; a unique outbox
row per reminder), so a double run or two workers change nothing.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.ledgers import services


@db_periodic_task(crontab(minute="*/5"))
def ledger_tick() -> dict[str, int]:
    """Every five minutes: queue reminders for reports coming due; mark 漏报."""
    return services.run_ledger_tick()
