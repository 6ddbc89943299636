"""Background tasks of the documents app (huey): thin, an id in, a service call out."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from xinfang.documents.register import run_export_job
from xinfang.documents.register_jobs import run_import_job


@db_task()
def export_register(job_id: int) -> None:
    """Write the general register of one :class:`ExportJob` to its file."""
    run_export_job(job_id)


@db_task()
def import_register_job(job_id: int) -> None:
    """Run the next pass (preview, or the import itself) of one :class:`ImportJob`."""
    run_import_job(job_id)
