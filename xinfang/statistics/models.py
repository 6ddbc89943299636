"""Materialised monthly aggregates and published rankings.

:class:`UnitMonth` holds, per responsible unit and calendar month, the counts of
:func:`xinfang.petitions.measures.count_measures` for that month (and the matters
received). A subtree's month is the sum of its units' rows, so the monthly ranking of
thousands of units reads one indexed range of this table instead of the matters. Rows are
rebuilt by :func:`xinfang.statistics.aggregates.refresh_months` (nightly job, on demand,
``xinfang refresh_statistics``); each row says when it was counted.

:class:`UnitYear` holds every figure of a unit's calendar year (the Art. 41 report reads
it), rebuilt by :func:`xinfang.statistics.aggregates.refresh_years` with the months.

:class:`RankingPublication` is a published monthly ranking: the rows as they were
published (units, rates, samples, ranks; never a person or an accusation), so a later
refresh does not rewrite what leaders and the public were shown.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.org.access import granted_paths
from xinfang.org.choices import UnitLevel
from xinfang.org.models import PathField
from xinfang.org.querysets import any_subtree_q


class UnitMonthQuerySet(RestrictedQuerySet["UnitMonth"]):
    def scope_q(self, user: object, action: str) -> Q | None:
        return any_subtree_q(granted_paths(user, action), "unit__path")


class UnitMonth(models.Model):
    """The measures of the matters one unit is responsible for, over one calendar month."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    # ``Unit.path`` when counted (a subtree's rows as one range on (month, unit_path)). The
    # reads go by the unit's path now (joined by ``unit``): a unit moved since still counts
    # under its new parent before the next recount.
    unit_path = PathField(max_length=255)
    month = models.DateField(_("月份"))  # the first day of the month
    received = models.PositiveIntegerField(default=0)
    timely_numerator = models.PositiveIntegerField(default=0)
    timely_denominator = models.PositiveIntegerField(default=0)
    timely_pending = models.PositiveIntegerField(default=0)
    completion_numerator = models.PositiveIntegerField(default=0)
    completion_denominator = models.PositiveIntegerField(default=0)
    completion_pending = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    backlog = models.PositiveIntegerField(default=0)
    backlog_over_5y = models.PositiveIntegerField(default=0)
    backlog_over_10y = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    # {territorial rank: matters received that reached it}: escalation above any level.
    reached = models.JSONField(default=dict)
    counted_at = models.DateTimeField()

    objects: ClassVar[UnitMonthQuerySet] = UnitMonthQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("单位月度统计")
        verbose_name_plural = _("单位月度统计")
        constraints = [
            models.UniqueConstraint(fields=["month", "unit"], name="unit_month_unique"),
        ]
        indexes = [models.Index(fields=["month", "unit_path"], name="unit_month_range")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}"


class MonthRefresh(models.Model):
    """When a month's :class:`UnitMonth` rows were last rebuilt, with a token new at every
    rebuild: what a cached ranking is keyed by (one row read, not the month's rows)."""

    month = models.DateField(unique=True)
    token = models.CharField(max_length=32)
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("月度统计重算")
        verbose_name_plural = _("月度统计重算")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.counted_at:%Y-%m-%d %H:%M}"


class UnitYearQuerySet(RestrictedQuerySet["UnitYear"]):
    def scope_q(self, user: object, action: str) -> Q | None:
        return any_subtree_q(granted_paths(user, action), "unit__path")


class UnitYear(models.Model):
    """Every figure of the matters one unit is responsible for, over one calendar year.

    A year is not the sum of its months (a matter accepted in March and answered in May
    counts once in the year's completion rate, and the backlog is as of the year's end),
    so the year is counted over the year itself, by the very function the pages and the
    drill-down use (:func:`xinfang.statistics.figures.count_figures`); ``figures`` holds
    its result (see :func:`xinfang.statistics.aggregates.figures_to_json`). The Art. 41
    report of a subtree reads its units' rows and says when they were counted. Every unit
    gets a row once its year is counted (an empty one when it has no matters), so "never
    counted" is told apart from "nothing to count".
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = PathField(max_length=255)  # Unit.path when counted (reads: the path now)
    year = models.PositiveSmallIntegerField(_("年度"))
    figures = models.JSONField(default=dict)
    as_of = models.DateField()  # the window's measuring day: min(31 December, the day counted)
    counted_at = models.DateTimeField()

    objects: ClassVar[UnitYearQuerySet] = UnitYearQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("单位年度统计")
        verbose_name_plural = _("单位年度统计")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="unit_year_unique"),
        ]
        indexes = [models.Index(fields=["year", "unit_path"], name="unit_year_range")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"


class RankingPublicationQuerySet(RestrictedQuerySet["RankingPublication"]):
    def scope_q(self, user: object, action: str) -> Q | None:
        return any_subtree_q(granted_paths(user, action), "root__path")

    def public(self) -> RankingPublicationQuerySet:
        return self.filter(is_public=True)


class RankingPublication(models.Model):
    """A monthly ranking as published by a leader of ``root`` (internal, or also public)."""

    root = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("排名层级"), max_length=20)
    month = models.DateField(_("月份"))
    weights = models.JSONField(_("权重"))
    min_sample = models.PositiveSmallIntegerField(_("最少事项数"))
    rows = models.JSONField(_("排名"))
    is_public = models.BooleanField(_("向社会公开"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[RankingPublicationQuerySet] = RankingPublicationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-month", "-published_at", "-pk"]
        verbose_name = _("排名发布")
        verbose_name_plural = _("排名发布")

    def __str__(self) -> str:
        return f"{self.root_id} {self.level} {self.month:%Y-%m}"

    @property
    def level_label(self) -> str:
        return str(UnitLevel(self.level).label) if self.level in UnitLevel.values else self.level
