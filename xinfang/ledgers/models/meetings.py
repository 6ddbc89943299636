"""Required meetings (例会) and their minutes."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.ledgers.choices import Cadence
from xinfang.ledgers.querysets import UnitScopedQuerySet

USER = settings.AUTH_USER_MODEL


class MeetingRequirement(models.Model):
    """A unit must hold this meeting once per period (weekly, monthly or quarterly)."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    title = models.CharField(_("会议名称"), max_length=100)
    cadence = models.CharField(_("频次"), max_length=15, choices=Cadence.choices)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"))
    campaign = models.ForeignKey(
        "ledgers.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_requirements",
    )

    objects: ClassVar[UnitScopedQuerySet] = UnitScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["unit__path", "title"]
        verbose_name = _("例会制度")
        verbose_name_plural = _("例会制度")

    def __str__(self) -> str:
        return f"{self.unit} {self.title}（{self.get_cadence_display()}）"


class Meeting(models.Model):
    """A meeting held, with minutes and attendance."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    requirement = models.ForeignKey(
        MeetingRequirement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        verbose_name=_("例会制度"),
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_on = models.DateField(_("召开日期"), db_index=True)
    chair = models.CharField(_("主持人"), max_length=50, blank=True)
    attendees = models.TextField(_("出席人员"))
    absentees = models.TextField(_("缺席人员及原因"), blank=True)
    minutes = models.TextField(_("会议纪要"))
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[UnitScopedQuerySet] = UnitScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"
