"""Duty rosters, report obligations, what is due from whom, and the reminder outbox."""

from __future__ import annotations

from datetime import time
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.core.personal_data import ProtectedField
from xinfang.ledgers.choices import Cadence, PublishStatus, ReportKind, ReportStatus
from xinfang.ledgers.querysets import ReportDueQuerySet, ShiftQuerySet, UnitScopedQuerySet

USER = settings.AUTH_USER_MODEL


class SensitivePeriod(models.Model):
    """A period declared sensitive by a unit (e.g. 省“两会”), for its whole subtree."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布单位")
    )
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    objects: ClassVar[UnitScopedQuerySet] = UnitScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("敏感时期")
        verbose_name_plural = _("敏感时期")

    def __str__(self) -> str:
        return f"{self.name}（{self.starts_on}—{self.ends_on}）"


class DutyRoster(models.Model):
    """A unit's duty roster for a holiday or sensitive period; published to the unit."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    title = models.CharField(_("标题"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    duty_phone = models.CharField(_("值班电话（办公）"), max_length=30, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PublishStatus.choices, default=PublishStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[UnitScopedQuerySet] = UnitScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("值班表")
        verbose_name_plural = _("值班表")

    def __str__(self) -> str:
        return self.title


class DutyShift(models.Model):
    """Who is on duty when, and on which phone.

    An office phone is plain text (it is public); a personal mobile is personal data and is
    kept encrypted (``mobile``), shown masked.
    """

    roster = models.ForeignKey(DutyRoster, on_delete=models.CASCADE, related_name="shifts")
    day = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始"), default=time(8, 30))
    ends_at = models.TimeField(_("结束"), default=time(8, 30))
    officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("值班人员账号"),
    )
    officer_name = models.CharField(_("值班人员"), max_length=50)
    leader_name = models.CharField(_("带班领导"), max_length=50, blank=True)
    office_phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    mobile = ProtectedField("phone", verbose_name="手机")
    mobile_token: str
    mobile_digest: str
    mobile_masked: str
    absent_at = models.DateTimeField(_("脱岗记录时间"), null=True, blank=True)
    absence_note = models.TextField(_("脱岗情况"), blank=True)
    absence_recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[ShiftQuerySet] = ShiftQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["day", "starts_at", "pk"]
        verbose_name = _("值班班次")
        verbose_name_plural = _("值班班次")

    def __str__(self) -> str:
        return f"{self.day} {self.officer_name}"


class ReportObligation(models.Model):
    """A report a unit must file on a cadence (daily, weekly, half-monthly, monthly, once).

    ``zero_reporting``: the 零报告 rule — a period with nothing to report still needs a
    report saying so, on time.
    """

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位")
    )
    title = models.CharField(_("报告名称"), max_length=100)
    kind = models.CharField(
        _("类别"), max_length=20, choices=ReportKind.choices, default=ReportKind.PERIODIC
    )
    cadence = models.CharField(_("频次"), max_length=15, choices=Cadence.choices)
    due_time = models.TimeField(_("报送时点"), default=time(16, 0))
    due_weekday = models.PositiveSmallIntegerField(
        _("每周报送日"), default=4, help_text=_("0=周一……4=周五")
    )
    due_offset_working_days = models.PositiveSmallIntegerField(
        _("期满后第几个工作日报送"), default=0
    )
    once_due_date = models.DateField(_("报送日期（一次性）"), null=True, blank=True)
    working_days_only = models.BooleanField(_("仅工作日报送（日报）"), default=False)
    zero_reporting = models.BooleanField(_("实行零报告"), default=False)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"))
    remind_before_hours = models.PositiveSmallIntegerField(_("提前提醒（小时）"), default=2)
    missing_after_hours = models.PositiveSmallIntegerField(_("逾期多少小时记为漏报"), default=24)
    campaign = models.ForeignKey(
        "ledgers.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="obligations",
        verbose_name=_("专项行动"),
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[UnitScopedQuerySet] = UnitScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["unit__path", "title"]
        verbose_name = _("报告制度")
        verbose_name_plural = _("报告制度")

    def __str__(self) -> str:
        return f"{self.unit} {self.title}"


class ReportDue(models.Model):
    """One report due from a unit at ``due_at``, and its filing (or its absence).

    Periodic reports come from an obligation; urgent ones from an event (a major
    development: 1 hour; a warning pushed from above: 2 hours for feedback). A report filed
    after ``due_at`` is late (迟报); one not filed within the obligation's grace is marked
    missing (漏报) by the periodic job, and stays counted as missing even if filed later.
    """

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位")
    )
    obligation = models.ForeignKey(
        ReportObligation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dues",
        verbose_name=_("报告制度"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=ReportKind.choices)
    title = models.CharField(_("报告名称"), max_length=150)
    zero_reporting = models.BooleanField(_("零报告"), default=False)
    period_start = models.DateField(_("报告期起"), null=True, blank=True)
    period_end = models.DateField(_("报告期止"), null=True, blank=True)
    event_at = models.DateTimeField(_("事件/预警时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("应报时间"), db_index=True)
    # While the due day waits for its year's holiday schedule ``due_at`` is the earliest it
    # can be: reminded against, never marked missing or late until the year is entered.
    due_pending = models.BooleanField(_("应报时间待定"), default=False)
    remind_at = models.DateTimeField(_("提醒时间"))
    missing_at = models.DateTimeField(_("漏报判定时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    reminded_at = models.DateTimeField(null=True, blank=True)
    marked_missing_at = models.DateTimeField(_("记为漏报时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_zero = models.BooleanField(_("零报告（无情况）"), default=False)
    content = models.TextField(_("报告内容"), blank=True)

    objects: ClassVar[ReportDueQuerySet] = ReportDueQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "period_start"],
                name="ledgers_reportdue_unique_period",
                condition=Q(obligation__isnull=False),
            )
        ]
        indexes = [
            models.Index(
                fields=["remind_at"],
                name="ledgers_due_to_remind",
                condition=Q(status="due", reminded_at=None),
            ),
            models.Index(fields=["missing_at"], name="ledgers_due_open", condition=Q(status="due")),
        ]
        verbose_name = _("应报事项")
        verbose_name_plural = _("应报事项")

    def __str__(self) -> str:
        return f"{self.unit} {self.title} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_late(self) -> bool:
        """Filed after its due time but before it was marked missing (迟报); a report filed
        after that (补报) stays counted as missing, not late."""
        return (
            self.filed_at is not None
            and self.filed_at > self.due_at
            and not self.due_pending
            and self.marked_missing_at is None
        )

    @property
    def is_filed_after_missing(self) -> bool:
        """补报: filed after it was marked missing (it still counts as 漏报)."""
        return self.filed_at is not None and self.marked_missing_at is not None

    def due_text(self, column: str = "due_at") -> str:
        """The due time as people read it; "待定,不早于 …" while its year is not entered."""
        local = timezone.localtime(self.due_at)
        if self.due_pending:
            return f"待定，不早于 {local:%Y-%m-%d %H:%M}"
        return f"{local:%Y-%m-%d %H:%M}"
