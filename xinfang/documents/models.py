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


class IssuedDocumentQuerySet(RestrictedQuerySet["IssuedDocument"]):
    """An issued document is seen by whoever may see its matter (the matter's own scope,
    Art. 30 included: the accused never sees it)."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.petitions.models import Petition

        return Q(petition__in=Petition.objects.restrict(user, action).values("pk"))


class DocumentCounter(models.Model):
    """The running number of one issuing body's documents of one type in one year.

    GB/T 9704-2012 §7.2.4: the 发文字号 is the organ's code, the year in 〔〕 and the serial
    number of that type of document in that year — never a database id.
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("机关代字"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        constraints = [
            models.UniqueConstraint(fields=["unit", "code", "year"], name="document_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕{self.last}"


class IssuedDocument(models.Model):
    """An official document as issued: rendered once, stored, re-printed as issued.

    ``source`` names what the document is about (the acceptance step, one answer, one
    hand-over…): one document per kind and source, so a later change (an extension, a
    review opinion) is a new source and a new document, and no issued one ever changes.
    ``data`` is what it was rendered from, ``pdf`` the bytes sent out, ``sha256`` their
    digest (checked on every re-print).
    """

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.PROTECT, related_name="issued_documents"
    )
    kind = models.CharField(_("文书种类"), max_length=30)
    source = models.CharField(_("所据记录"), max_length=80)
    title = models.CharField(_("文书名称"), max_length=60)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("发文机关")
    )
    code = models.CharField(_("机关代字"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    number = models.CharField(_("发文字号"), max_length=100)
    issued_on = models.DateField(_("成文日期"))
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("文书数据"), default=dict)
    pdf = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)

    objects: ClassVar[IssuedDocumentQuerySet] = IssuedDocumentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("已出具文书")
        verbose_name_plural = _("已出具文书")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source"], name="issued_document_once"),
            models.UniqueConstraint(
                fields=["unit", "code", "year", "serial"], name="issued_document_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    CHECKED = "checked", _("待确认导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("未导入")


class ImportJobQuerySet(RestrictedQuerySet["ImportJob"]):
    """A job is visible to the user who started it (its preview lists the file's rows)."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        return Q(requested_by_id=user.pk)


class ImportJob(models.Model):
    """One import of the general register, run by the worker in two passes.

    The first pass (``dry_run``) checks the file and enters every matter in a transaction
    it rolls back: its report (counts, same-matter flags, every problem) is the preview.
    Confirmed, the job is queued again and the second pass enters the matters in one
    transaction, which also records the job as done, so a worker killed halfway leaves
    the job "running" with nothing imported, and it can be restarted (``attempt`` tells a
    restarted run from the one it replaces). ``processed``/``total`` drive the progress bar
    (see ``register_jobs.progress``). ``status`` moves by the workflow engine (``workflow.py``).
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("导入到")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    file_path = models.CharField(_("文件"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    dry_run = models.BooleanField(_("仅校验"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    attempt = models.PositiveIntegerField(_("第几次运行"), default=0)
    phase = models.CharField(_("阶段"), max_length=10, blank=True)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理行数"), default=0)
    report = models.JSONField(_("结果"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[ImportJobQuerySet] = ImportJobQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("登记簿导入任务")
        verbose_name_plural = _("登记簿导入任务")

    def __str__(self) -> str:
        return f"导入 #{self.pk} {self.status}"
