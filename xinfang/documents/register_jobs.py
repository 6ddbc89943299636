"""The register import as a background job: upload → preview → confirm, with progress.

:func:`start_import` stores the upload (outside the web root, owner-only) and queues an
:class:`~xinfang.documents.models.ImportJob`; the worker (:func:`run_import_job`, the
huey task ``documents.tasks.import_register_job``) runs it in two passes: a dry run whose
report is the preview, then — once the importer confirms — the import itself, in one
transaction that also records the job as done. The job row is the truth: a worker killed
halfway leaves the job "running" and nothing imported (the database rolls the
transaction back); the importer restarts it (:func:`restart_import`) once its progress
has stood still for :data:`STALE_SECONDS`.

The live counter (rows checked / entered) is a :class:`~xinfang.core.progress.ProgressFile`
beside the uploaded file, not in the job row: the import's transaction holds what it
writes until it commits — a counter written there would be invisible to the page — and on
SQLite no other connection may write while it runs. The row gets the final counts with
its last step.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from xinfang.core import audit
from xinfang.core import workflow as engine
from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.core.progress import Progress, ProgressFile
from xinfang.core.workflow import SYSTEM
from xinfang.documents.errors import RegisterImportInvalid
from xinfang.documents.models import ImportJob, ImportStatus
from xinfang.documents.register_import import MAX_FILE, ImportResult, import_register
from xinfang.org.access import can
from xinfang.org.models import Unit, User
from xinfang.petitions.choices import Status
from xinfang.petitions.workflow.backlog import IMPORT_ACTION

__all__ = [
    "MAX_UPLOAD",
    "STALE_SECONDS",
    "Progress",
    "confirm_import",
    "progress_of",
    "restart_import",
    "run_import_job",
    "start_import",
]

STALE_SECONDS = 300
PROGRESS_INTERVAL = 0.2  # seconds: the counter file is rewritten at most this often
MAX_UPLOAD = MAX_FILE  # what read_register accepts
SHOWN_FLAGS = 200
SHOWN_PROBLEMS = 500


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def start_import(*, user: User, unit: Unit, file_name: str, data: bytes) -> ImportJob:
    """Store the upload and queue its checking pass (the preview)."""
    if not can(user, IMPORT_ACTION, unit.path):
        raise TransitionNotAllowed(f"您没有向{unit.name}导入登记簿的权限")
    if not data:
        raise RegisterImportInvalid(["请选择要导入的总登记簿文件（.xlsx）"])
    if len(data) > MAX_UPLOAD:
        raise RegisterImportInvalid(["文件过大：总登记簿不得超过 200 MB"])
    path = _folder() / f"register-import-{secrets.token_hex(12)}.xlsx"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    job = ImportJob.objects.create(
        requested_by=user,
        unit=unit,
        file_name=file_name[:200],
        file_path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        obj=job,
        after={"unit": unit.pk, "file": job.file_name, "sha256": job.sha256},
    )
    _queue(job)
    return job


def _queue(job: ImportJob) -> None:
    from xinfang.documents.tasks import import_register_job

    pk = job.pk
    transaction.on_commit(lambda: import_register_job(pk))


def confirm_import(job: ImportJob, *, user: User) -> ImportJob:
    """The importer confirms the preview: the job is queued for the import itself."""
    engine.transition(job, "confirm", actor=user)
    _queue(job)
    return job


def restart_import(job: ImportJob, *, user: User) -> ImportJob:
    """Queue again a run whose worker died (its transaction rolled back, nothing kept)."""
    if not is_stale(job):
        raise TransitionNotAllowed("该任务仍在运行，请稍候")
    engine.transition(job, "restart", actor=user, reason="处理进程中断，重新开始")
    _queue(job)
    return job


# ---------------------------------------------------------------------------------------
# Progress


# Checking is the first fifth of the bar, entering the matters the rest.
SPANS = {"check": (0, 20), "import": (20, 80)}


def _counter(job: ImportJob) -> ProgressFile:
    """The job's live counter (:mod:`xinfang.core.progress`), beside the upload."""
    return ProgressFile(Path(job.file_path).with_suffix(".progress"), interval=PROGRESS_INTERVAL)


def progress_of(job: ImportJob) -> Progress:
    """The job's progress: the live counter while it runs, else the row's final counts."""
    if job.status == ImportStatus.RUNNING:
        live = _counter(job).read(SPANS)
        if live is None:
            claimed = job.claimed_at.timestamp() if job.claimed_at else time.time()
            return Progress(0, job.total, "check", claimed, SPANS)
        return live
    finished = job.status in (ImportStatus.CHECKED, ImportStatus.DONE)
    return Progress(
        job.total if finished else job.processed, job.total, "done" if finished else "", 0.0
    )


def is_stale(job: ImportJob) -> bool:
    """Has a running job's counter stood still so long that its worker must have died?"""
    if job.status != ImportStatus.RUNNING:
        return False
    return time.time() - progress_of(job).moved_at > STALE_SECONDS


# ---------------------------------------------------------------------------------------
# The worker


def _report(result: ImportResult) -> dict[str, Any]:
    return {
        "summary": result.summary(),
        "rows": result.rows,
        "states": {str(Status(k).label): v for k, v in sorted(result.states.items())},
        "flag_count": len(result.flags),
        "flags": result.flags[:SHOWN_FLAGS],
        "problems": [],
        "problem_count": 0,
    }


def _failed(problems: list[str]) -> dict[str, Any]:
    return {"problems": problems[:SHOWN_PROBLEMS], "problem_count": len(problems)}


def run_import_job(job_id: int) -> ImportJob | None:
    """Run the job's next pass (idempotent: only the run that wins queued → running works;
    a restarted run is told from the one it replaces by ``attempt``)."""
    job = ImportJob.objects.select_related("requested_by", "unit").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.QUEUED:
        return None
    attempt = job.attempt + 1
    try:
        engine.transition(job, "claim", actor=SYSTEM, data={"attempt": attempt})
    except ConcurrentChange:
        return None  # another run claimed it
    counter = _counter(job)
    try:
        data = Path(job.file_path).read_bytes()
        if hashlib.sha256(data).hexdigest() != job.sha256:
            raise RegisterImportInvalid(["上传的文件已被改动，请重新上传"])
        if job.dry_run:
            result = import_register(
                data, actor=job.requested_by, unit=job.unit, dry_run=True, progress=counter
            )
            step = "checked"
        else:
            with transaction.atomic():
                # The job row first: a restart waits on this row until the run ends.
                mine = ImportJob.objects.filter(
                    pk=job.pk, status=ImportStatus.RUNNING, attempt=attempt
                ).update(phase="import")
                if mine != 1:
                    return None
                result = import_register(
                    data, actor=job.requested_by, unit=job.unit, progress=counter
                )
                _end(job, "finish", result)
            counter.clear()
            return job
    except (RegisterImportInvalid, TransitionNotAllowed) as exc:
        problems = exc.problems if isinstance(exc, RegisterImportInvalid) else [str(exc)]
        job.refresh_from_db()
        engine.transition(job, "fail", actor=SYSTEM, data={"report": _failed(problems)})
        counter.clear()
        return job
    except Exception:  # the job must end visibly, whatever went wrong
        job.refresh_from_db()
        if job.status == ImportStatus.RUNNING:
            engine.transition(
                job, "fail", actor=SYSTEM, data={"report": _failed(["导入出错，未导入任何数据"])}
            )
        counter.clear()
        raise
    _end(job, step, result)
    counter.clear()
    return job


def _end(job: ImportJob, step: str, result: ImportResult) -> None:
    job.refresh_from_db()
    engine.transition(
        job,
        step,
        actor=SYSTEM,
        data={"report": _report(result), "total": result.rows, "processed": result.rows},
    )
