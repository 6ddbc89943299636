"""The outbox: reminders and notices the periodic job queues, sent at most once."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.choices import DueStep, NotificationKind
from xinfang.petitions.querysets import NotificationQuerySet


class Notification(models.Model):
    """One message to a unit (or a user) about a matter's due date.

    The unique constraint on (petition, kind, step, due, unit) makes queueing idempotent:
    the job inserts with ``ignore_conflicts`` and a second run adds nothing. Sending marks
    ``sent_at`` with a compare-and-swap on ``sent_at IS NULL``.
    """

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    step = models.CharField(max_length=20, choices=DueStep.choices)
    due = models.DateField()
    recipient_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[NotificationQuerySet] = NotificationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "kind", "step", "due", "recipient_unit"],
                name="unique_notification",
            )
        ]
        indexes = [
            models.Index(
                fields=["sent_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent"
            )
        ]

    def __str__(self) -> str:
        return self.text


class NotificationRead(models.Model):
    """One user's read receipt of a notification (the inbox's "mark as read").

    A notification is addressed to a unit; each member of the unit reads it for themself,
    so the read state is per user. The receipt is its own record of who read what when
    (append-only, one row per user and notification), so it is not copied to the audit
    chain, which records what offices do about matters.
    """

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("提醒已读")
        verbose_name_plural = _("提醒已读")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "user"], name="unique_notification_read"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} read by {self.user_id}"
