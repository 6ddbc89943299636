"""Choices of the assessment platform; statuses appear as string literals nowhere else."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("月度")
    BIMONTHLY = "bimonthly", _("双月")
    QUARTERLY = "quarterly", _("季度")
    ANNUAL = "annual", _("年度")
    CAMPAIGN = "campaign", _("专项活动")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("已开启")
    COLLECTING = "collecting", _("归集事实")
    DECLARATION = "declaration", _("单位自评申报")
    REVIEW = "review", _("审核")
    APPEALS = "appeals", _("申诉")
    CLOSED = "closed", _("已结算")
    PUBLISHED = "published", _("已通报")


# Derived facts are refreshed from the records while nobody can have appealed them yet.
COLLECTING_STATUSES = frozenset(
    {PeriodStatus.OPEN, PeriodStatus.COLLECTING, PeriodStatus.DECLARATION, PeriodStatus.REVIEW}
)
FINAL_STATUSES = frozenset({PeriodStatus.CLOSED, PeriodStatus.PUBLISHED})


class FactOrigin(models.TextChoices):
    DERIVED = "derived", _("业务记录生成")
    ENTERED = "entered", _("考评办录入")
    DECLARED = "declared", _("单位自评申报")
    RATED = "rated", _("评分表汇总")


class FactStatus(models.TextChoices):
    DECLARED = "declared", _("待审核")
    ACCEPTED = "accepted", _("有效")
    ADJUSTED = "adjusted", _("核减调整后有效")
    REJECTED = "rejected", _("审核不予认定")
    STRUCK = "struck", _("申诉成立，已撤销")


# The facts the engine scores.
COUNTED_FACT_STATUSES = frozenset({FactStatus.ACCEPTED, FactStatus.ADJUSTED})


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    UPHELD = "upheld", _("申诉成立")
    DISMISSED = "dismissed", _("申诉不成立")


# Periods in which assigned raters may still rate (until the declaration deadline).
RATING_STATUSES = frozenset({PeriodStatus.OPEN, PeriodStatus.COLLECTING, PeriodStatus.DECLARATION})


class RaterKind(models.TextChoices):
    LEADERS = "leaders", _("领导评价")
    PEERS = "peers", _("同级评价")
