"""What happened to a matter: transitions, hand-overs, extensions, hearings, answers, …

Every row hangs off a :class:`Petition` and is scoped through it (``petition__in`` the
restricted petitions), so whoever cannot see the matter cannot see its history.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.workflow import TransitionLog
from xinfang.petitions.choices import (
    Outcome,
    Rating,
    ReviewLevel,
    RouteMode,
    Stage,
    Status,
    SuggestionOutcome,
)
from xinfang.petitions.querysets import PetitionChildQuerySet

_USER = settings.AUTH_USER_MODEL


class Transition(TransitionLog):
    """The timeline row of one workflow step of a matter (the core engine's log: step, old,
    new, actor, reason, data, time); the actor is kept (PROTECT) as the record of who acted."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta(TransitionLog.Meta):
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.from_status} → {self.to_status}"

    @property
    def label(self) -> str:
        """The step's Chinese name for the timeline."""
        from xinfang.petitions.workflow import STEPS
        from xinfang.petitions.workflow.table import IN_STATE_STEPS

        names = {step.name: step.label for step in STEPS}
        names.update({step.name: step.label for step in IN_STATE_STEPS}, register="登记")
        return str(names.get(self.step, self.step))


class RouteHandover(models.Model):
    """A hand-over (转送 / 交办) from one unit to another (条例 Arts. 22–23)."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="handovers"
    )
    mode = models.CharField(_("方式"), max_length=10, choices=RouteMode.choices)
    from_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    routed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    routed_on = models.DateField(_("转交办日期"))
    note = models.TextField(_("转交办意见"), blank=True)
    report_due = models.DateField(_("要求报结日期"), null=True, blank=True)
    objected_on = models.DateField(_("提出异议日期"), null=True, blank=True)
    objection_reason = models.TextField(_("异议理由"), blank=True)
    # Art. 23: the sending office agrees and re-routes, or rejects the objection with reasons.
    objection_decision = models.CharField(
        _("异议处理"),
        max_length=10,
        blank=True,
        choices=[("agreed", _("同意并重新转送交办")), ("rejected", _("驳回异议"))],
    )
    objection_decided_on = models.DateField(_("异议处理日期"), null=True, blank=True)
    objection_decision_reason = models.TextField(_("驳回理由"), blank=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["routed_on", "pk"]
        verbose_name = _("转送交办")
        verbose_name_plural = _("转送交办")

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.from_unit_id} → {self.to_unit_id}"


class Extension(models.Model):
    """The one extension of at most 30 days, approved by the unit leader (条例 Art. 34)."""

    petition = models.OneToOneField(
        "petitions.Petition", on_delete=models.CASCADE, related_name="extension"
    )
    days = models.PositiveSmallIntegerField(_("延期天数"))
    reason = models.TextField(_("延期理由"))
    approved_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("批准日期"))
    old_due = models.DateField(null=True, blank=True)
    new_due = models.DateField(null=True, blank=True)
    # Art. 34: an extension approved after the period ran out carries its recorded reason
    # and stays flagged (the assessment counts it).
    is_late = models.BooleanField(_("逾期后延期"), default=False)
    late_reason = models.TextField(_("逾期延期理由"), blank=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__gte=1, days__lte=30), name="extension_1_to_30_days"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} +{self.days}"


class Hearing(models.Model):
    """A hearing (听证). During re-review its days are not counted (条例 Art. 36)."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="hearings"
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("听证")
        verbose_name_plural = _("听证")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.started_on}"


class Answer(models.Model):
    """A written answer (信访处理意见书, 条例 Art. 32) or a review / re-review opinion."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="answers"
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    outcome = models.CharField(_("处理意见"), max_length=20, choices=Outcome.choices)
    request = models.TextField(_("信访请求"), blank=True)
    facts = models.TextField(_("事实"))
    reasons = models.TextField(_("理由"))
    legal_basis = models.TextField(_("依据"))
    review_route = models.CharField(_("复查（复核）途径"), max_length=200, blank=True)
    review_deadline_days = models.PositiveSmallIntegerField(_("申请期限（日）"), default=30)
    # Art. 29: what became of a suggestion (counted in the annual report).
    suggestion_outcome = models.CharField(
        _("建议采纳情况"), max_length=20, choices=SuggestionOutcome.choices, blank=True
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField(_("答复日期"))

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["answered_on", "pk"]
        verbose_name = _("答复意见")
        verbose_name_plural = _("答复意见")

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_outcome_display()}"


class OpinionDraft(models.Model):
    """A draft of a written opinion (信访处理意见书, 复查意见, 复核意见) by a handler.

    Two persons sign an opinion: the handler drafts it, the unit's leader approves it
    (the opinion step, which creates the :class:`Answer`) or returns it with a comment
    (条例 Art. 32: the written opinion is the office's, issued on its leader's
    authority). The draft's state is its columns: open, returned or approved.
    """

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="opinion_drafts"
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    outcome = models.CharField(_("处理意见"), max_length=20, choices=Outcome.choices)
    request = models.TextField(_("信访请求"), blank=True)
    facts = models.TextField(_("事实"))
    reasons = models.TextField(_("理由"))
    legal_basis = models.TextField(_("依据"))
    review_route = models.CharField(_("复查（复核）途径"), max_length=200, blank=True)
    drafted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    drafted_on = models.DateField(_("起草日期"))
    returned_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    return_comment = models.TextField(_("退回意见"), blank=True)
    answer = models.OneToOneField(
        Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="draft"
    )

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["drafted_on", "pk"]
        verbose_name = _("意见书草稿")
        verbose_name_plural = _("意见书草稿")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}意见草稿 {self.drafted_on}"

    @property
    def is_open(self) -> bool:
        """Awaiting the leader: neither returned nor approved."""
        return self.returned_on is None and self.answer_id is None


class DeliveryReceipt(models.Model):
    """送达回证: when and how an answer reached the petitioner (starts the review window)."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="receipt")
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="receipts"
    )
    delivered_on = models.DateField(_("送达日期"))
    method = models.CharField(_("送达方式"), max_length=40)
    recipient = models.CharField(_("受送达人"), max_length=50)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("送达回证")
        verbose_name_plural = _("送达回证")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.delivered_on}"


class Evidence(models.Model):
    """佐证材料: what shows the handling was done (a description, optionally a file)."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="evidence"
    )
    description = models.TextField(_("说明"))
    attachment = models.ForeignKey(
        "petitions.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.description[:40]


class CompletionReport(models.Model):
    """结案报告 to the office that handed the matter down."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="completion_reports"
    )
    handover = models.ForeignKey(
        RouteHandover, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("报告内容"))
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(_("报送日期"))

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("结案报告")
        verbose_name_plural = _("结案报告")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.submitted_on}"


class ReturnVisit(models.Model):
    """回访 and the petitioner's rating (满意 / 基本满意 / 不满意)."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="return_visits"
    )
    visited_on = models.DateField(_("回访日期"))
    method = models.CharField(_("回访方式"), max_length=40, blank=True)
    rating = models.CharField(_("评价"), max_length=30, choices=Rating.choices)
    note = models.TextField(_("回访情况"), blank=True)
    by_petitioner = models.BooleanField(_("信访人网上评价"), default=False)
    recorded_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["visited_on", "pk"]
        verbose_name = _("回访评价")
        verbose_name_plural = _("回访评价")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.rating}"


class ReviewRequest(models.Model):
    """A request for review (复查, Art. 35) or re-review (复核, Art. 36) and its opinion."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="review_requests"
    )
    level = models.CharField(_("类别"), max_length=10, choices=ReviewLevel.choices)
    requested_on = models.DateField(_("申请日期"))
    reason = models.TextField(_("申请理由"))
    reviewing_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    by_petitioner = models.BooleanField(_("信访人网上申请"), default=False)
    opinion = models.OneToOneField(
        Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_request"
    )
    decided_on = models.DateField(_("意见日期"), null=True, blank=True)
    is_final = models.BooleanField(_("终结"), default=False)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["requested_on", "pk"]
        verbose_name = _("复查复核申请")
        verbose_name_plural = _("复查复核申请")
        constraints = [
            models.UniqueConstraint(fields=["petition", "level"], name="one_request_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.level}"


class WindowCheck(models.Model):
    """A request made while the period it must fall in was still pending.

    A citizen is never refused on a date nobody knows yet (and neither is a receiving body
    objecting, Art. 23): the request is accepted and recorded here. Once the year's holiday
    schedule is entered the real last day is filled in; a request that falls outside it is
    left for a staff decision (``outcome`` = ``late``) and is never dropped silently.
    """

    class Kind(models.TextChoices):
        OBJECTION = "objection", _("异议")
        REVIEW_REQUEST = "review_request", _("请求复查")
        REREVIEW_REQUEST = "rereview_request", _("请求复核")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("期限待定")
        IN_TIME = "in_time", _("在期限内")
        LATE = "late", _("超出期限，待决定")
        KEPT = "kept", _("超出期限，决定照常办理")
        REFUSED = "refused", _("超出期限，决定不予受理")

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="window_checks"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    due_column = models.CharField(max_length=30)
    made_on = models.DateField(_("提出日期"))
    not_before = models.DateField(_("期限不早于"))
    real_due = models.DateField(_("实际期限"), null=True, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("决定说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["made_on", "pk"]
        verbose_name = _("期限待定期间提出的申请")
        verbose_name_plural = _("期限待定期间提出的申请")
        indexes = [models.Index(fields=["outcome"], name="window_check_outcome")]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind} {self.made_on}"
