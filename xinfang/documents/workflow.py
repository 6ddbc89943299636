"""The register export job's workflow on the core engine: queued → running → done / failed.

Only the worker moves a job, as :data:`~xinfang.core.workflow.SYSTEM`; the compare-and-swap
on ``(status, version)`` makes a job run twice (a retried task) write its file once. The
export itself is audited once it is written (``register.audit_export``), so the job's own
steps add no timeline of their own.
"""

from __future__ import annotations

from typing import Any

from xinfang.core import audit
from xinfang.core import workflow as engine
from xinfang.core.models import AuditAction
from xinfang.core.workflow import Ctx, NoInput, Step
from xinfang.documents.models import ExportJob, ExportStatus, ImportJob, ImportStatus
from xinfang.org.access import can
from xinfang.petitions.workflow.backlog import IMPORT_ACTION

__all__ = ["EXPORT_JOB", "IMPORT_JOB"]


class FailInput(NoInput):
    error: str


class DoneInput(NoInput):
    done: int
    total: int
    file_path: str


def _ended(ctx: Ctx) -> None:
    ctx.changes |= {**ctx.input.model_dump(), "finished_at": ctx.now}


def _no_timeline(*_args: Any, **_kwargs: Any) -> None:
    """The job's steps are the worker's bookkeeping; the export is audited by itself."""


def _no_timeline_import(
    job: ImportJob, *, name: str, old: str, new: str, actor: Any, reason: str, **_: Any
) -> None:
    """The worker's steps are bookkeeping (the import audits itself); the importer's own
    (confirming, restarting) are audited."""
    if name in ("confirm", "restart"):
        audit.record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=job,
            before={"status": old},
            after={"status": new},
            detail={"step": name, "reason": reason},
        )


_RUNNING = frozenset({ExportStatus.RUNNING})

EXPORT_JOB = engine.register(
    engine.Workflow(
        model=ExportJob,
        steps=(
            Step(
                "claim",
                "开始导出",
                frozenset({ExportStatus.QUEUED}),
                ExportStatus.RUNNING,
                (),
                system=True,
            ),
            Step(
                "finish", "导出完成", _RUNNING, ExportStatus.DONE, (), input=DoneInput, system=True
            ),
            Step(
                "fail", "导出失败", _RUNNING, ExportStatus.FAILED, (), input=FailInput, system=True
            ),
        ),
        log=None,
        effects={"finish": _ended, "fail": _ended},
        record=_no_timeline,
    )
)


# ---------------------------------------------------------------------------------------
# The register import job: queued → running → checked (the preview) → queued (confirmed)
# → running → done; failed from running; a run whose worker died is restarted.


class ImportFailInput(NoInput):
    report: dict[str, Any]


class ImportCheckedInput(NoInput):
    report: dict[str, Any]
    total: int
    processed: int


class ImportClaimInput(NoInput):
    attempt: int


def _claimed(ctx: Ctx) -> None:
    ctx.changes |= {**ctx.input.model_dump(), "claimed_at": ctx.now, "processed": 0}


def _import_ended(ctx: Ctx) -> None:
    ctx.changes |= {**ctx.input.model_dump(), "finished_at": ctx.now}


def _confirmed(ctx: Ctx) -> None:
    ctx.changes |= {"dry_run": False, "processed": 0, "phase": ""}


def _requeued(ctx: Ctx) -> None:
    ctx.changes |= {"processed": 0, "phase": ""}


_IMPORT_RUNNING = frozenset({ImportStatus.RUNNING})

IMPORT_JOB = engine.register(
    engine.Workflow(
        model=ImportJob,
        steps=(
            Step(
                "claim",
                "开始处理",
                frozenset({ImportStatus.QUEUED}),
                ImportStatus.RUNNING,
                (),
                input=ImportClaimInput,
                system=True,
            ),
            Step(
                "checked",
                "校验完成",
                _IMPORT_RUNNING,
                ImportStatus.CHECKED,
                (),
                input=ImportCheckedInput,
                system=True,
            ),
            Step(
                "finish",
                "导入完成",
                _IMPORT_RUNNING,
                ImportStatus.DONE,
                (),
                input=ImportCheckedInput,
                system=True,
            ),
            Step(
                "fail",
                "未能导入",
                _IMPORT_RUNNING,
                ImportStatus.FAILED,
                (),
                input=ImportFailInput,
                system=True,
            ),
            # The importer's own steps: confirm the preview; restart a run whose worker died.
            Step(
                "confirm",
                "确认导入",
                frozenset({ImportStatus.CHECKED}),
                ImportStatus.QUEUED,
                (IMPORT_ACTION,),
            ),
            Step(
                "restart",
                "重新开始",
                _IMPORT_RUNNING,
                ImportStatus.QUEUED,
                (IMPORT_ACTION,),
                reason_required=True,
            ),
        ),
        log=None,
        units=lambda job, step: [job.unit.path],
        can=can,
        effects={
            "claim": _claimed,
            "checked": _import_ended,
            "finish": _import_ended,
            "fail": _import_ended,
            "confirm": _confirmed,
            "restart": _requeued,
        },
        record=_no_timeline_import,
    )
)
