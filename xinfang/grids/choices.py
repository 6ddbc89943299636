"""Choices of the grids app; statuses never appear as string literals elsewhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BoundaryRole(models.TextChoices):
    COMMUNITY = "community", _("社区边界")
    GRID = "grid", _("网格边界")


class LogItemStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    HANDED = "handed", _("已转交单位")
    RAISED = "raised", _("已上报街道协调")
    RESOLVED = "resolved", _("已办结")
    CONVERTED = "converted", _("已转为信访事项或矛盾纠纷")


# Items still owed an answer to the resident (the daily meeting's 当日清 closes these).
OPEN_LOG_STATUSES = frozenset({LogItemStatus.OPEN, LogItemStatus.HANDED, LogItemStatus.RAISED})


class MeetingOutcome(models.TextChoices):
    """What the daily meeting (当日清) did with an item of the community."""

    RESOLVED = "resolved", _("会上办结")
    HANDED = "handed", _("会上转交单位")
    RAISED = "raised", _("会上上报街道")
    CARRIED = "carried", _("转交在办（按原期限）")


# The outcomes the meeting itself decides, by the workflow step each one takes.
MEETING_STEPS: dict[str, str] = {
    "resolve": MeetingOutcome.RESOLVED,
    "hand_on": MeetingOutcome.HANDED,
    "raise": MeetingOutcome.RAISED,
}


class LogItemTopic(models.TextChoices):
    LIVELIHOOD = "livelihood", _("民生服务")
    ENVIRONMENT = "environment", _("环境卫生")
    SAFETY = "safety", _("安全隐患")
    PROPERTY = "property", _("物业管理")
    NEIGHBOURS = "neighbours", _("邻里纠纷")
    POLICY = "policy", _("政策咨询")
    OTHER = "other", _("其他")
