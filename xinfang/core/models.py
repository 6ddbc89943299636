"""Cross-cutting tables: the audit chain and the official holiday calendar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
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

    ``entry_hash`` is an HMAC-SM3, under the audit key ``key_id``, of every other field and
    the previous entry's hash, so a changed, deleted, inserted or reordered entry breaks the
    chain and cannot be re-signed without the key (see ``xinfang verify_audit``). On
    PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of the table.
    """

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Not SET_NULL: the actor's id is signed, and the row must never be rewritten;
        # ``actor_label`` keeps the name of a deleted account.
        on_delete=models.DO_NOTHING,
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
    # Which of XINFANG_AUDIT_KEYS signed the entry, so keys can rotate.
    key_id = models.CharField(max_length=32)

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
    """A single row locked while appending, so concurrent writers form one chain.

    It stays updatable (every append moves it); a rewritten head is caught by the signed
    heads that ``xinfang audit_anchor`` keeps outside the database.
    """

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
        _("上班日"), help_text=_("真 = 调休上班日（周末上班）；假 = 法定节假日或调休休息日")
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
    source = models.CharField(_("依据（国务院办公厅通知）"), max_length=100, blank=True)

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


# ---------------------------------------------------------------------------------------
# The outbox (xinfang/core/outbox.py)

# Imported here, not at the top: personal_data needs AuditAction, defined above.
from xinfang.core.personal_data import ProtectedField  # noqa: E402

# Labels of message kinds, filled by each app's ready() (the inbox's "类别" column/filter).
MESSAGE_KINDS: dict[str, str] = {"calendar": "系统通知"}


class MessageChannel(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，待重试")
    DEAD = "dead", _("已放弃")


class Message(models.Model):
    """One notice of the outbox, addressed to a unit, a user or a citizen's phone.

    ``key`` is the idempotency key: queueing the same notice twice writes nothing. The row
    is the source of truth of its delivery (``status``, ``attempts``, ``next_attempt_at``,
    ``last_error``); workers claim rows with a compare-and-swap (``claim``), so a killed
    worker loses nothing and two workers never send the same message.

    ``accused_unit`` / ``accused_user``: a message about an accusation names its accused,
    and is never queued to nor shown to them (条例 Art. 30).
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=40)
    channel = models.CharField(
        max_length=10, choices=MessageChannel.choices, default=MessageChannel.INBOX
    )
    recipient_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A citizen's phone: sealed like every personal datum, never stored or logged in clear.
    phone = ProtectedField("phone", verbose_name="手机号")
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=300, blank=True, default="")
    source = models.CharField(_("来源"), max_length=100, blank=True, default="")
    subject = models.CharField(_("事项"), max_length=60, blank=True, default="")
    due = models.DateField(_("期限"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    accused_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accused_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["queued", "sending", "failed"]),
                name="outbox_pending",
            ),
            models.Index(fields=["recipient_unit", "-created_at"], name="outbox_unit_inbox"),
            models.Index(fields=["source", "kind"], name="outbox_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_unit__isnull=False)
                | models.Q(recipient_user__isnull=False)
                | ~models.Q(phone_token=""),
                name="outbox_message_addressed",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def kind_label(self) -> str:
        return MESSAGE_KINDS.get(self.kind, self.kind)


class MessageRead(models.Model):
    """One user's read receipt of an inbox message: a message to a unit is read by each of
    its staff for themself. Its own append-only record, not copied to the audit chain."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("消息已读")
        verbose_name_plural = _("消息已读")
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="unique_message_read")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} read by {self.user_id}"
