"""Supervision records (督办) on petition matters, 条例 Arts. 38–40.

Every record hangs off a matter (``petition``) and names the ``supervising_unit`` (who
supervises) and the ``responsible_unit`` (who must act). Status changes only through the
workflow engine (``supervision/workflow.py``: compare-and-swap on ``status`` and
``version``, a :class:`SupervisionTransition` row per step). Overdue is derived from the due
column and today, never stored, so it cannot go stale.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfang.core.workflow import TransitionLog
from xinfang.supervision.choices import (
    InstructionStatus,
    ListedStatus,
    NoticeStatus,
    OwnershipStatus,
    ReminderStatus,
)
from xinfang.supervision.querysets import (
    InstructionQuerySet,
    ListedQuerySet,
    NoticeQuerySet,
    OwnershipQuerySet,
    ReminderQuerySet,
)

_USER = settings.AUTH_USER_MODEL


class SupervisionRecord(models.Model):
    """Fields every supervision record has."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="+", verbose_name=_("信访事项")
    )
    supervising_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("督办单位")
    )
    responsible_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True


class Reminder(SupervisionRecord):
    """催办: the supervising unit presses the responsible unit to report progress by a date
    (条例 Art. 38). Unreported by ``reply_due`` counts as model rule 3.3."""

    issued_on = models.DateField(_("催办日期"))
    note = models.TextField(_("催办意见"))
    reply_due = models.DateField(_("报送期限"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.OPEN
    )
    reply = models.TextField(_("办理情况"), blank=True)
    replied_on = models.DateField(_("报送日期"), null=True, blank=True)
    replied_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[ReminderQuerySet] = ReminderQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("催办")
        verbose_name_plural = _("催办")

    def __str__(self) -> str:
        return f"催办 {self.petition_id} {self.issued_on}"


class SupervisionNotice(SupervisionRecord):
    """督办通知书: a written recommendation; the responsible unit answers in writing whether
        it was adopted within ``answer_due`` (条例 Arts. 39–40; the period is the office's setting,
    ``XINFANG_SUPERVISION_ANSWER_DAYS``: the regulation sets none). An unanswered
        notice past its due date is overdue (model rule 3.2)."""

    number = models.CharField(_("文号"), max_length=40, unique=True)
    issued_on = models.DateField(_("督办日期"))
    reasons = models.TextField(_("督办事由"))
    recommendation = models.TextField(_("督办意见和建议"))
    answer_days = models.PositiveSmallIntegerField(_("回复期限（日）"), default=30)
    answer_due = models.DateField(_("书面回复期限"), null=True, blank=True, db_index=True)
    deadline_pending = models.BooleanField(_("期限待定"), default=False)
    # While pending: the earliest day the answer can be due (shown "待定,不早于 …").
    answer_not_before = models.DateField(_("回复期限不早于"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    adopted = models.BooleanField(_("是否采纳"), null=True, blank=True)
    answer = models.TextField(_("书面回复"), blank=True)
    answered_on = models.DateField(_("回复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[NoticeQuerySet] = NoticeQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("督办通知书")
        verbose_name_plural = _("督办通知书")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="issued") | Q(adopted__isnull=False, answered_on__isnull=False),
                name="notice_answer_states_adoption",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ListedSupervision(SupervisionRecord):
    """挂牌督办 with the six fixed fields (六定): lead leader, responsible unit, responsible
    person, supervising unit, supervisor, deadline — all required (domain.md §4)."""

    lead_leader = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("包案领导")
    )
    responsible_person = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    supervisor = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("督办人")
    )
    deadline = models.DateField(_("办结时限"), db_index=True)
    listed_on = models.DateField(_("挂牌日期"))
    reason = models.TextField(_("挂牌事由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ListedStatus.choices, default=ListedStatus.LISTED
    )
    delisted_on = models.DateField(_("摘牌日期"), null=True, blank=True)
    delisting_note = models.TextField(_("摘牌说明"), blank=True)

    objects: ClassVar[ListedQuerySet] = ListedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("挂牌督办")
        verbose_name_plural = _("挂牌督办")
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=Q(status="listed"), name="one_open_listing"
            )
        ]

    def __str__(self) -> str:
        return f"挂牌督办 {self.petition_id}"


class CaseOwnership(SupervisionRecord):
    """领导包案: a leader takes a matter personally; one active owner per matter.
    ``supervising_unit`` is the leader's unit."""

    leader = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("包案领导")
    )
    started_on = models.DateField(_("包案日期"))
    note = models.TextField(_("包案说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=OwnershipStatus.choices, default=OwnershipStatus.ACTIVE
    )
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_note = models.TextField(_("结束说明"), blank=True)

    objects: ClassVar[OwnershipQuerySet] = OwnershipQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("领导包案")
        verbose_name_plural = _("领导包案")
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=Q(status="active"), name="one_active_owner"
            )
        ]

    def __str__(self) -> str:
        return f"包案 {self.petition_id} {self.leader_id}"


class Instruction(SupervisionRecord):
    """领导批示 on a matter, tracked to completion: due date, status, completion note.
    ``supervising_unit`` records it; ``responsible_unit`` carries it out."""

    leader_name = models.CharField(_("批示领导"), max_length=50)
    leader = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instructed_on = models.DateField(_("批示日期"))
    text = models.TextField(_("批示内容"))
    due = models.DateField(_("落实期限"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=InstructionStatus.choices,
        default=InstructionStatus.OPEN,
    )
    completion_note = models.TextField(_("落实情况"), blank=True)
    reported_on = models.DateField(_("报告日期"), null=True, blank=True)
    reported_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField(_("确认落实日期"), null=True, blank=True)
    completed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[InstructionQuerySet] = InstructionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(completion_note=""),
                name="instruction_completion_note",
            )
        ]

    def __str__(self) -> str:
        return f"批示 {self.petition_id} {self.leader_name}"


class SupervisionTransition(TransitionLog):
    """The timeline of the supervision records of a matter: one row per step of a
    reminder, notice, listing, ownership or instruction (scoped through the matter)."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="+", verbose_name=_("信访事项")
    )
    record_type = models.CharField(_("督办记录类型"), max_length=40)
    record_id = models.PositiveIntegerField(_("督办记录"))

    class Meta(TransitionLog.Meta):
        indexes = [models.Index(fields=["record_type", "record_id"])]
        verbose_name = _("督办流转记录")
        verbose_name_plural = _("督办流转记录")
