"""Campaigns (专项行动): a time-bounded drive with phases, a leading group and submissions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.ledgers.querysets import CampaignChildQuerySet, CampaignQuerySet

USER = settings.AUTH_USER_MODEL


class Campaign(models.Model):
    """A campaign run by ``unit`` for the ``participants`` (e.g. seed 002's 100-day drive).

    ``rulebook`` names the assessment rulebook that scores it (the engine lives in
    ``xinfang.assessment``); the campaign only records the name.
    """

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    name = models.CharField(_("行动名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    leading_group = models.TextField(_("领导小组"), blank=True)
    office = models.CharField(_("领导小组办公室"), max_length=200, blank=True)
    targets = models.TextField(_("目标任务"), help_text=_("每行一条"))
    rulebook = models.CharField(_("考评细则"), max_length=100, blank=True)
    weekly_screening = models.BooleanField(_("行动期间每周排查"), default=True)
    participants = models.ManyToManyField(
        "org.Unit", related_name="+", blank=True, verbose_name=_("参加单位")
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[CampaignQuerySet] = CampaignQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")

    def __str__(self) -> str:
        return self.name

    def target_lines(self) -> list[str]:
        return [line.strip() for line in self.targets.splitlines() if line.strip()]


class CampaignPhase(models.Model):
    """A phase of a campaign (动员部署 / 集中攻坚 / 总结考核)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("阶段"), max_length=50)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("工作内容"), blank=True)

    objects: ClassVar[CampaignChildQuerySet] = CampaignChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("行动阶段")
        verbose_name_plural = _("行动阶段")

    def __str__(self) -> str:
        return self.name
