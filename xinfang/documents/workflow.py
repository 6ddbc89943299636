"""The register export job's workflow on the core engine: queued → running → done / failed.

Only the worker moves a job, as :data:`~xinfang.core.workflow.SYSTEM`; the compare-and-swap
on ``(status, version)`` makes a job run twice (a retried task) write its file once. The
export itself is audited once it is written (``register.audit_export``), so the job's own
steps add no timeline of their own.
"""

from __future__ import annotations

from typing import Any

from xinfang.core import workflow as engine
from xinfang.core.workflow import Ctx, NoInput, Step
from xinfang.documents.models import ExportJob, ExportStatus

__all__ = ["EXPORT_JOB"]


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
