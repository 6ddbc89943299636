"""Choices of the ledgers app (dispute screening, duty and reports, reception, meetings)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.periods import Cadence as Cadence  # re-exported: the ledgers name it here


class RoundKind(models.TextChoices):
    REGULAR = "regular", _("定期排查")
    HOLIDAY = "holiday", _("节前/敏感期排查")
    SPECIAL = "special", _("专项排查")


SCREENING_CADENCES = (Cadence.WEEKLY, Cadence.HALF_MONTHLY, Cadence.MONTHLY)
REPORT_CADENCES = (
    Cadence.DAILY,
    Cadence.WEEKLY,
    Cadence.HALF_MONTHLY,
    Cadence.MONTHLY,
    Cadence.ONCE,
)
MEETING_CADENCES = (Cadence.WEEKLY, Cadence.MONTHLY, Cadence.QUARTERLY)


class DisputeDomain(models.TextChoices):
    LAND_REQUISITION = "land_requisition", _("征地拆迁")
    DEMOLITION = "demolition", _("房屋拆迁")
    WAGE_ARREARS = "wage_arrears", _("拖欠工资")
    FOREST_RIGHTS = "forest_rights", _("山林权属")
    VILLAGE_ELECTION = "village_election", _("村级换届选举")
    LAND_CONTRACT = "land_contract", _("土地承包")
    NEIGHBOURHOOD = "neighbourhood", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭")
    PROPERTY = "property", _("物业管理")
    ENVIRONMENT = "environment", _("环境污染")
    ENTERPRISE = "enterprise", _("企业改制")
    WATER = "water", _("水利用水")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    """The risk of the dispute escalating — a property of the matter, never of a person."""

    LOW = "low", _("一般")
    MEDIUM = "medium", _("较大")
    HIGH = "high", _("重大")


class DisputeStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    IN_PROGRESS = "in_progress", _("化解中")
    RESOLVED = "resolved", _("已化解待核验")
    CLOSED = "closed", _("已销号")


OPEN_DISPUTE_STATUSES = (DisputeStatus.REGISTERED, DisputeStatus.IN_PROGRESS)


class DisputeSource(models.TextChoices):
    SCREENING = "screening", _("排查发现")
    AGREEMENT = "agreement", _("调解/和解协议")
    IMPORT = "import", _("台账导入")
    OTHER = "other", _("其他途径")


class ReportKind(models.TextChoices):
    PERIODIC = "periodic", _("定期报告")
    SUBMISSION = "submission", _("专项行动报送")
    URGENT_MAJOR = "urgent_major", _("重大紧急情况报告")
    WARNING_FEEDBACK = "warning_feedback", _("预警信息反馈")


URGENT_KINDS = (ReportKind.URGENT_MAJOR, ReportKind.WARNING_FEEDBACK)

# Hours from the event to the deadline of an urgent report (seed 002: "重要信息2小时反馈";
# major warnings "第一时间报告", read as one hour as the issue specifies).
URGENT_HOURS = {ReportKind.URGENT_MAJOR: 1, ReportKind.WARNING_FEEDBACK: 2}


class ReportStatus(models.TextChoices):
    DUE = "due", _("待报")
    FILED = "filed", _("已报")
    MISSING = "missing", _("漏报")


class PublishStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已公布")
