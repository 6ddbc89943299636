"""Choices of the trips-abroad app (因公临时出国(境), seed 004: 渝委发〔2005〕14号)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rank(models.TextChoices):
    """Ranks of the members, most senior first (:data:`SENIORITY` follows this order)."""

    PROVINCIAL = "provincial", _("省部级")
    BUREAU_CHIEF = "bureau_chief", _("厅局级正职")
    BUREAU_DEPUTY = "bureau_deputy", _("厅局级副职")
    COUNTY_CHIEF = "county_chief", _("县处级正职")
    COUNTY_DEPUTY = "county_deputy", _("县处级副职")
    SECTION = "section", _("乡科级")
    STAFF = "staff", _("科员及以下")


# Index 0 is the most senior.
SENIORITY: list[str] = list(Rank.values)
# Leaders (领导干部) for the "no two same-level leaders of one unit" rule: 乡科级 and above.
LEADER_RANKS = frozenset(SENIORITY[: SENIORITY.index(Rank.SECTION) + 1])


class TripType(models.TextChoices):
    VISIT = "visit", _("考察访问")
    TRAINING = "training", _("培训")


class TripStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    SUBMITTED = "submitted", _("已报批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")
    RETURNED = "returned", _("已回国（境）")


# Trips that count against the limits of other trips (one a year, same-level leaders).
ACTIVE_STATUSES = frozenset({TripStatus.SUBMITTED, TripStatus.APPROVED, TripStatus.RETURNED})
