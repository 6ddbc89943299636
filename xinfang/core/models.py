"""Cross-cutting tables: the audit chain and the official holiday calendar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("流转")
    EXPORT = "export", _("导出")
    PII_READ = "pii_read", _("查看个人信息")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")


class AuditEntry(models.Model):
    """One append-only entry of the audit chain.

    ``entry_hash`` covers every other field and the previous entry's hash, so a changed,
    deleted, inserted or reordered entry breaks the chain (see ``xinfang verify_audit``).
    """

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "created_at"]),
        ]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("audit entries are append-only")


class AuditHead(models.Model):
    """A single row locked while appending, so concurrent writers form one chain."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class CalendarDay(models.Model):
    """An official exception to the Monday–Friday week: a holiday or a make-up working day.

    Seeded from ``chinese-calendar`` by ``xinfang seed_calendar``; administrators may edit
    rows when the State Council publishes a change. ``CalendarYear`` records which years are
    covered: a date outside them is an error, never a guess.
    """

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("上班日"), help_text=_("真 = 调休上班日(周末上班);假 = 法定节假日或调休休息日")
    )
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")

    def __str__(self) -> str:
        kind = "上班" if self.is_working_day else "休息"
        return f"{self.date} {self.name} {kind}"


class CalendarYear(models.Model):
    """A year whose official holidays and make-up days are fully recorded."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("依据(国务院办公厅通知)"), max_length=100, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已覆盖年度")
        verbose_name_plural = _("已覆盖年度")

    def __str__(self) -> str:
        return str(self.year)


class LoginAttempt(models.Model):
    """Failed logins, counted per account key and per address for throttling."""

    key = models.CharField(max_length=200, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key} {self.created_at:%Y-%m-%d %H:%M}"


class AdminNotice(models.Model):
    """A daily notice to the administrators (the calendar's early warning).

    ``key`` makes queueing idempotent: one notice per subject and day, however often the
    job runs. It is shown on the administrators' dashboard until read.
    """

    key = models.CharField(max_length=100, unique=True)
    text = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("系统通知")
        verbose_name_plural = _("系统通知")

    def __str__(self) -> str:
        return self.text
