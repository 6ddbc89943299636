"""Background exports of the general register, with progress for the htmx bar."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfang.core.querysets import RestrictedQuerySet


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导出中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportJobQuerySet(RestrictedQuerySet["ExportJob"]):
    """A job is visible to the user who asked for it (its file holds their scope only)."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        return Q(requested_by_id=user.pk)


class ExportJob(models.Model):
    """One export of the general register run by the worker: filters in, file out.

    ``status`` moves queued → running → done / failed by the workflow engine
    (``workflow.py``), so a job run twice (a retried task) writes its file once.
    ``done``/``total`` drive the progress bar.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已导出行数"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    file_path = models.CharField(_("文件"), max_length=300, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[ExportJobQuerySet] = ExportJobQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("登记簿导出任务")
        verbose_name_plural = _("登记簿导出任务")

    def __str__(self) -> str:
        return f"导出 #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
