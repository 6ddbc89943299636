"""Trips abroad: requests with their members, rule settings, exceptions, yearly plans."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.calendar import due_text
from xinfang.core.workflow import TransitionLog
from xinfang.trips.choices import Rank, TripStatus, TripType
from xinfang.trips.querysets import (
    ExceptionQuerySet,
    MemberQuerySet,
    PlanItemQuerySet,
    TripQuerySet,
    UnitScopedQuerySet,
)
from xinfang.trips.rules import days_abroad


class TripRule(models.Model):
    """One rule as an office sets it for its subtree (``unit``); no row: the default of
    :data:`~xinfang.trips.rules.DEFAULT_RULES`. The clause it comes from stays with it."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, verbose_name=_("设定单位"))
    code = models.CharField(_("规则"), max_length=40)
    value = models.IntegerField(_("限值"))
    enabled = models.BooleanField(_("启用"), default=True)
    source = models.CharField(_("依据条款"), max_length=200)
    note = models.CharField(_("调整说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["unit", "code"], name="trips_rule_unit_code")
        ]
        verbose_name = _("出访规则")
        verbose_name_plural = _("出访规则")

    def __str__(self) -> str:
        return f"{self.unit}:{self.code}={self.value}"


class TripPlan(models.Model):
    """A unit's plan of next year's trips (出访计划, filed in early November: 第(二)条)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, verbose_name=_("组团单位"))
    year = models.PositiveSmallIntegerField(_("计划年度"))
    filed_on = models.DateField(_("报送日期"))
    is_late = models.BooleanField(_("逾期报送"), default=False)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["unit", "year"], name="trips_plan_unit_year")
        ]
        ordering: ClassVar = ["-year", "unit__path"]
        verbose_name = _("年度出访计划")
        verbose_name_plural = _("年度出访计划")

    def __str__(self) -> str:
        return f"{self.unit}{self.year}年出访计划"


class PlanItem(models.Model):
    """One planned trip of a plan (出访任务、国家、人数)."""

    plan = models.ForeignKey(TripPlan, on_delete=models.CASCADE, related_name="items")
    purpose = models.CharField(_("出访任务"), max_length=200)
    countries = models.CharField(_("出访国家（地区）"), max_length=200)
    head_count = models.PositiveSmallIntegerField(_("人数"))

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划团组")
        verbose_name_plural = _("计划团组")

    def __str__(self) -> str:
        return f"{self.plan.year}:{self.purpose}"


class TripRequest(models.Model):
    """A request for an official trip abroad (出访请示) of one organizing unit (组团单位)."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组团单位")
    )
    approving_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("审批层级")
    )
    title = models.CharField(_("团组名称"), max_length=200)
    purpose = models.TextField(_("出访任务"))
    trip_type = models.CharField(
        _("团组类型"), max_length=20, choices=TripType.choices, default=TripType.VISIT
    )
    countries = models.JSONField(_("出访国家（地区）"), default=list)
    depart_on = models.DateField(_("出境日期"))
    return_on = models.DateField(_("入境日期"))
    visa_apply_on = models.DateField(_("办理护照签证日期"))
    plan_item = models.ForeignKey(
        PlanItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("所列计划"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TripStatus.choices, default=TripStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    filed_on = models.DateField(_("报批日期"), null=True, blank=True)
    violations = models.JSONField(_("违反规则"), default=list, blank=True)
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    returned_on = models.DateField(_("实际入境日期"), null=True, blank=True)
    report_due = models.DateField(_("出访报告报送期限"), null=True, blank=True, db_index=True)
    report_due_not_before = models.DateField(null=True, blank=True)
    report_filed_on = models.DateField(_("报告报送日期"), null=True, blank=True)
    report_text = models.TextField(_("出访报告"), blank=True)
    passport_due = models.DateField(_("护照交回期限"), null=True, blank=True, db_index=True)
    passport_due_not_before = models.DateField(null=True, blank=True)
    passport_returned_on = models.DateField(_("护照交回日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TripQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-depart_on", "-pk"]
        indexes: ClassVar = [models.Index(fields=["status", "depart_on"])]
        verbose_name = _("出访请示")
        verbose_name_plural = _("出访请示")

    def __str__(self) -> str:
        return self.title

    @property
    def days(self) -> int:
        return days_abroad(self.depart_on, self.return_on)

    @property
    def countries_text(self) -> str:
        return "、".join(self.countries)

    @property
    def report_due_text(self) -> str:
        return due_text(self.report_due, self.report_due_not_before)

    @property
    def passport_due_text(self) -> str:
        return due_text(self.passport_due, self.passport_due_not_before)

    def report_overdue(self, today: date) -> bool:
        return bool(self.report_due and not self.report_filed_on and today > self.report_due)

    def passport_overdue(self, today: date) -> bool:
        return bool(
            self.passport_due and not self.passport_returned_on and today > self.passport_due
        )

    @property
    def report_late(self) -> bool:
        return bool(
            self.report_due and self.report_filed_on and self.report_filed_on > self.report_due
        )

    @property
    def passport_late(self) -> bool:
        return bool(
            self.passport_due
            and self.passport_returned_on
            and self.passport_returned_on > self.passport_due
        )


class TripMember(models.Model):
    """One member of a trip (团组人员), with rank and unit."""

    trip = models.ForeignKey(TripRequest, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("工作单位")
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)
    rank = models.CharField(_("职级"), max_length=20, choices=Rank.choices)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["pk"]
        verbose_name = _("团组人员")
        verbose_name_plural = _("团组人员")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_rank_display()}）"


class TripException(models.Model):
    """An exception to one rule for one request, granted by the approving level with its
    reason (every clause says “原则上”: the approving level may decide otherwise, on record)."""

    trip = models.ForeignKey(TripRequest, on_delete=models.CASCADE, related_name="exceptions")
    code = models.CharField(_("规则"), max_length=40)
    reason = models.TextField(_("同意理由"))
    granted_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = ExceptionQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["trip", "code"], name="trips_exception_trip_code")
        ]
        verbose_name = _("规则例外")
        verbose_name_plural = _("规则例外")

    def __str__(self) -> str:
        return f"{self.trip}:{self.code}"


class TripTransition(TransitionLog):
    """One workflow step of a trip request."""

    trip = models.ForeignKey(TripRequest, on_delete=models.CASCADE, related_name="timeline")

    class Meta(TransitionLog.Meta):
        verbose_name = _("出访请示流转记录")
        verbose_name_plural = _("出访请示流转记录")
