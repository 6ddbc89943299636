"""Leaders' public reception (领导接访): the schedule, the records and spot checks."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.ledgers.choices import PublishStatus
from xinfang.ledgers.querysets import (
    ReceptionQuerySet,
    ReceptionSlotQuerySet,
    UnitScopedQuerySet,
)

USER = settings.AUTH_USER_MODEL


class ReceptionSlot(models.Model):
    """One scheduled reception day of a leader; public once published."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    leader = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leader_name = models.CharField(_("接访领导"), max_length=50)
    leader_title = models.CharField(_("职务"), max_length=50, blank=True)
    day = models.DateField(_("日期"), db_index=True)
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=100)
    topic = models.CharField(_("接访内容"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PublishStatus.choices, default=PublishStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[ReceptionSlotQuerySet] = ReceptionSlotQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["day", "starts_at", "pk"]
        verbose_name = _("接访日程")
        verbose_name_plural = _("接访日程")

    def __str__(self) -> str:
        return f"{self.day} {self.leader_name}"


class Reception(models.Model):
    """What happened at a reception: how many came, what was raised, what was instructed.

    Visitors are a count and a free-text description; no identity data is kept here — a
    matter worth registering becomes a petition matter (``petition_ref``).
    """

    slot = models.ForeignKey(
        ReceptionSlot,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="receptions",
        verbose_name=_("接访日程"),
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    leader_name = models.CharField(_("接访领导"), max_length=50)
    received_on = models.DateField(_("接访日期"))
    visitor_count = models.PositiveSmallIntegerField(_("来访人数"), default=1)
    visitors = models.TextField(_("来访人员情况"), blank=True)
    matters_raised = models.TextField(_("反映问题"))
    instructions = models.TextField(_("领导批示/处理意见"), blank=True)
    petition_ref = models.CharField(_("登记的信访事项编号"), max_length=40, blank=True)
    petition = models.ForeignKey(
        "petitions.Petition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记的信访事项"),
    )
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[ReceptionQuerySet] = ReceptionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("接访记录")
        verbose_name_plural = _("接访记录")

    def __str__(self) -> str:
        return f"{self.received_on} {self.leader_name}"


class SpotCheck(models.Model):
    """An unannounced check (暗访督查) of whether the scheduled leader was receiving."""

    slot = models.ForeignKey(ReceptionSlot, on_delete=models.CASCADE, related_name="spot_checks")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("检查时间"))
    leader_present = models.BooleanField(_("领导在岗"))
    note = models.TextField(_("情况说明"), blank=True)
    checked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[UnitScopedQuerySet] = UnitScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("暗访督查")
        verbose_name_plural = _("暗访督查")

    def __str__(self) -> str:
        return f"{self.slot} {'在岗' if self.leader_present else '未在岗'}"
