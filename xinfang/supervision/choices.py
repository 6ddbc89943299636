"""Choices of the supervision app (督办, 条例 Arts. 38–40)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    """The kinds of supervision record; also the slug used in URLs and the API."""

    REMINDER = "reminder", _("催办")
    NOTICE = "notice", _("督办通知")
    LISTED = "listed", _("挂牌督办")
    OWNERSHIP = "ownership", _("领导包案")
    INSTRUCTION = "instruction", _("领导批示")


class ReminderStatus(models.TextChoices):
    OPEN = "open", _("待报送")
    REPLIED = "replied", _("已报送")


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("待书面回复")
    ANSWERED = "answered", _("已书面回复")


class ListedStatus(models.TextChoices):
    LISTED = "listed", _("挂牌中")
    DELISTED = "delisted", _("已摘牌")


class OwnershipStatus(models.TextChoices):
    ACTIVE = "active", _("包案中")
    RELEASED = "released", _("已结束包案")


class InstructionStatus(models.TextChoices):
    OPEN = "open", _("落实中")
    COMPLETED = "completed", _("已落实")
