"""Background tasks of the statistics (huey): the nightly recount of the aggregates."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xinfang.statistics.jobs import recount_recent_months, warm_default_rankings


@db_periodic_task(crontab(minute="41", hour="1"))
def recount_statistics_job() -> None:
    """Nightly: recount this month and the last (late ratings and answers land there),
    then warm the default rankings, so that the morning's first reader finds them cached."""
    recount_recent_months()
    warm_default_rankings()
