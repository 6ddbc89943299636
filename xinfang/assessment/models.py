"""The assessment platform's records: schemes, periods, their subjects and facts, appeals
and results.

A scheme holds a copy of its rulebook's text with its sha256: a rulebook in use is never
edited (a new version is a new scheme). A period copies the rulebook's name and digest when
it opens, keeps the facts it used and, once closed, one result per subject in the shape of
``xinfang assess --json``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.assessment.choices import (
    AppealStatus,
    FactOrigin,
    FactStatus,
    PeriodKind,
    PeriodStatus,
    RaterKind,
)
from xinfang.assessment.querysets import (
    AppealQuerySet,
    FactQuerySet,
    PeriodQuerySet,
    RatingQuerySet,
    ResultQuerySet,
    SchemeQuerySet,
)
from xinfang.core.workflow import TransitionLog

__all__ = [
    "Appeal",
    "AssessmentTransition",
    "Fact",
    "Period",
    "RankedTable",
    "Rating",
    "Result",
    "Scheme",
    "Subject",
]


class Scheme(models.Model):
    """A rulebook applied by an assessing unit to its subjects, period after period."""

    name = models.CharField(_("方案名称"), max_length=120)
    rulebook = models.CharField(_("考核细则"), max_length=60)
    rulebook_version = models.CharField(_("细则版本"), max_length=40)
    rulebook_text = models.TextField(_("细则内容"))
    rulebook_sha256 = models.CharField(max_length=64)
    assessing_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("考评单位")
    )
    subject_level = models.CharField(_("考核对象层级"), max_length=20, blank=True)
    subject_category = models.CharField(_("考核对象类别"), max_length=10, blank=True)
    period_kind = models.CharField(
        _("考核周期"), max_length=20, choices=PeriodKind.choices, default=PeriodKind.MONTHLY
    )
    working_days = models.BooleanField(_("阶段期限按工作日计算"), default=True)
    declaration_days = models.PositiveSmallIntegerField(_("自评申报期（日）"), default=5)
    review_days = models.PositiveSmallIntegerField(_("审核期（日）"), default=5)
    appeal_days = models.PositiveSmallIntegerField(_("申诉期（日）"), default=5)
    min_matters = models.PositiveSmallIntegerField(_("参与排名的最少件数"), default=5)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    """One assessment period of a scheme, moved through its phases by the workflow."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="periods")
    title = models.CharField(_("期次"), max_length=120)
    start = models.DateField(_("起始日"))
    end = models.DateField(_("截止日"))
    status = models.CharField(
        _("状态"), max_length=20, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1)
    rulebook = models.CharField(max_length=60)
    rulebook_sha256 = models.CharField(max_length=64)
    # Each phase's deadline, set when the phase opens (None with ``*_pending``: the holiday
    # calendar of that year is not entered yet — never a guess).
    declaration_due = models.DateField(_("自评申报截止"), null=True, blank=True)
    review_due = models.DateField(_("审核截止"), null=True, blank=True)
    appeal_due = models.DateField(_("申诉截止"), null=True, blank=True)
    due_pending = models.BooleanField(default=False)
    collected_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # The version the period's results were stored at (set by each close): the key of the
    # tables rendered from them, here and in the periods that compare with this one.
    results_version = models.PositiveIntegerField(default=0)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-start", "pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "appeal_due"])]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self) -> Any:
        """The unit a period belongs to (for ``may_act``)."""
        return self.scheme.assessing_unit


class Subject(models.Model):
    """A unit assessed in a period, as the SUBJECTS.csv row (``subject,name,category``)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="subjects")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=10, blank=True)
    position = models.PositiveIntegerField()
    # Matters behind the subject's rates: fewer than the scheme's minimum → not ranked.
    sample = models.PositiveIntegerField(default=0)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["period", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["period", "code"], name="assessment_subject_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def evidence_path(instance: Fact, filename: str) -> str:
    return f"assessment/{instance.period_id}/{filename}"


class Fact(models.Model):
    """One fact of a period: derived from a record, entered by the office, or declared by
    the unit (then reviewed). Only accepted or adjusted facts are scored."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="facts")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=40)
    item = models.CharField(_("考核项目或职责"), max_length=80)
    date = models.DateField(_("日期"))
    quantity = models.FloatField(_("数量"), null=True, blank=True)
    value = models.FloatField(_("数值"), null=True, blank=True)
    tags = models.CharField(max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    evidence = models.CharField(_("依据记录"), max_length=120, blank=True)
    source = models.CharField(max_length=80, blank=True)
    attachment = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    origin = models.CharField(max_length=20, choices=FactOrigin.choices)
    status = models.CharField(max_length=20, choices=FactStatus.choices)
    version = models.PositiveIntegerField(default=1)
    # What the unit declared, kept when the office adjusts it.
    declared_quantity = models.FloatField(null=True, blank=True)
    declared_value = models.FloatField(null=True, blank=True)
    review_reason = models.TextField(_("审核理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FactQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.item} {self.date}"


class Appeal(models.Model):
    """A unit's appeal against one of its facts, decided by the office with a reason."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="appeals")
    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="appeals")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(
        max_length=20, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    version = models.PositiveIntegerField(default=1)
    decision = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return f"申诉 {self.pk}"


class Result(models.Model):
    """One subject's published result: the ``subjects[]`` entry of ``assess --json``."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    score = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)
    category = models.CharField(max_length=10, blank=True)
    small_sample = models.BooleanField(default=False)
    data = models.JSONField()

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["period", "position"]

    def __str__(self) -> str:
        return f"{self.subject} {self.score}"


class RankedTable(models.Model):
    """The ranked results page's tables of a closed period, rendered when it closes (one
    per audience: the office's rows link to the unit pages). ``key`` names the period's
    results version and those of the periods its table compares with (the previous one,
    the earlier ones of the year), so a table is never served for other results."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="ranked_tables")
    office = models.BooleanField()
    key = models.CharField(max_length=64)
    html = models.TextField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["period", "office"], name="assessment_table_once")
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {'office' if self.office else 'units'} {self.key[:8]}"


class Rating(models.Model):
    """One rater's rating of one subject on one rated part (Loudi 领导评价 / 同级评价).

    The office assigns it; the rater — a leader in person (``lead`` over ``rater_unit``)
    or a peer unit (``handle`` over ``rater_unit``) — rates before the declaration
    deadline. The score is never shown to anyone: the rated unit and the office read the
    mean of the part's submitted scores (a fact of the part, made when the review opens)
    and the office the completion.
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="ratings")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="ratings")
    item = models.CharField(_("评分项目"), max_length=20)
    kind = models.CharField(max_length=10, choices=RaterKind.choices)
    rater_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("评分单位")
    )
    # A leader rates in person; a peer unit's rating is given by any of its handlers.
    rater_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评分领导"),
    )
    score = models.FloatField(_("评分"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["period", "subject__position", "item", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["subject", "item", "rater_unit", "rater_user"],
                name="assessment_rating_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"评分 {self.pk}"


class AssessmentTransition(TransitionLog):
    """The timeline of periods, facts and appeals."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="timeline")
    record_type = models.CharField(max_length=20)
    record_id = models.PositiveIntegerField()
