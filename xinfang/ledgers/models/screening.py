"""Dispute screening (矛盾纠纷排查化解): schedule rules, rounds and the dispute ledger."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfang.core.personal_data import ProtectedField
from xinfang.core.workflow import TransitionLog
from xinfang.ledgers.choices import (
    Cadence,
    DisputeDomain,
    DisputeSource,
    DisputeStatus,
    RiskLevel,
    RoundKind,
)
from xinfang.ledgers.querysets import DisputeQuerySet, ScreeningRoundQuerySet, UnitScopedQuerySet

USER = settings.AUTH_USER_MODEL


class ScreeningRule(models.Model):
    """A rule that generates a unit's screening rounds over a period.

    Regular rounds recur by ``cadence`` (monthly; half-monthly for townships, seed 003
    "乡镇(街道)一般每半月集中排查一次"; weekly during a campaign, seed 002); holiday rules
    generate one round before each official holiday and each sensitive period.
    """

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    kind = models.CharField(_("排查类型"), max_length=10, choices=RoundKind.choices)
    cadence = models.CharField(
        _("周期"), max_length=15, choices=Cadence.choices, blank=True, default=""
    )
    domain = models.CharField(
        _("专项领域"), max_length=20, choices=DisputeDomain.choices, blank=True, default=""
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    campaign = models.ForeignKey(
        "ledgers.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="screening_rules",
        verbose_name=_("专项行动"),
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[UnitScopedQuerySet] = UnitScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["unit__path", "starts_on"]
        verbose_name = _("排查计划规则")
        verbose_name_plural = _("排查计划规则")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.starts_on}—{self.ends_on}"


class ScreeningRound(models.Model):
    """One screening a unit must hold and file by ``due_date``."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    rule = models.ForeignKey(
        ScreeningRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds"
    )
    campaign = models.ForeignKey(
        "ledgers.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rounds",
        verbose_name=_("专项行动"),
    )
    kind = models.CharField(_("排查类型"), max_length=10, choices=RoundKind.choices)
    domain = models.CharField(
        _("专项领域"), max_length=20, choices=DisputeDomain.choices, blank=True, default=""
    )
    title = models.CharField(_("名称"), max_length=100)
    period_start = models.DateField(_("排查期起"))
    period_end = models.DateField(_("排查期止"))
    due_date = models.DateField(_("应报日期"), db_index=True)
    # The due day waits for its year's holiday schedule: ``due_date`` is provisional (the
    # end of the window for a regular round), never counted missed until the year is entered.
    due_pending = models.BooleanField(_("应报日期待定"), default=False)
    held_on = models.DateField(_("排查日期"), null=True, blank=True)
    participants = models.TextField(_("参加人员"), blank=True)
    summary = models.TextField(_("排查情况"), blank=True)
    filed_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[ScreeningRoundQuerySet] = ScreeningRoundQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-due_date", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "domain", "period_start", "period_end"],
                name="ledgers_round_unique_period",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_date"], name="ledgers_round_unfiled", condition=Q(filed_at=None)
            )
        ]
        verbose_name = _("排查轮次")
        verbose_name_plural = _("排查轮次")

    def __str__(self) -> str:
        return f"{self.unit} {self.title}"

    def due_text(self, column: str = "due_date") -> str:
        if self.due_pending:
            return f"待定，暂按 {self.due_date:%Y-%m-%d}"
        return f"{self.due_date:%Y-%m-%d}"


class Dispute(models.Model):
    """A dispute found by a screening (or agreed in mediation), kept as a matter.

    Parties are recorded as parties to this matter only (names and roles as free text):
    the ledger is not a list of people (domain.md §2.4). ``risk_level`` rates the dispute.
    """

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    round = models.ForeignKey(
        ScreeningRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disputes",
        verbose_name=_("排查轮次"),
    )
    number = models.CharField(_("台账编号"), max_length=30, blank=True, db_index=True)
    source = models.CharField(
        _("来源"), max_length=12, choices=DisputeSource.choices, default=DisputeSource.SCREENING
    )
    domain = models.CharField(_("纠纷类别"), max_length=20, choices=DisputeDomain.choices)
    place = models.CharField(_("发生地点"), max_length=200)
    subject = models.TextField(_("纠纷事项"))
    parties = models.TextField(
        _("当事人"), help_text=_("当事各方名称及身份（如：某村村民若干人、某公司）")
    )
    contact_phone = ProtectedField("phone", verbose_name="联系电话")
    contact_phone_token: str
    contact_phone_digest: str
    contact_phone_masked: str
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    found_on = models.DateField(_("排查日期"))
    responsible_person = models.CharField(_("责任人"), max_length=50)
    lead_leader = models.CharField(_("包案领导"), max_length=50, blank=True)
    resolution_plan = models.TextField(_("化解方案"), blank=True)
    deadline = models.DateField(_("化解期限"), db_index=True)
    petition_ref = models.CharField(_("关联信访事项编号"), max_length=40, blank=True, db_index=True)
    # Loose link to the petition matter (the ledgers' own logic never needs it).
    petition = models.ForeignKey(
        "petitions.Petition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关联信访事项"),
    )
    agreement_text = models.TextField(_("协议内容"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=DisputeStatus.choices,
        default=DisputeStatus.REGISTERED,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    resolved_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(_("化解情况"), blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_note = models.TextField(_("核验意见"), blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[DisputeQuerySet] = DisputeQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-found_on", "-pk"]
        indexes = [models.Index(fields=["unit", "found_on"])]
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.subject[:30]}"


class DisputeTransition(TransitionLog):
    """One step of a dispute through the ledger states (who, when, why)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=DisputeStatus.choices)
    to_status = models.CharField(max_length=12, choices=DisputeStatus.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = _("纠纷流转记录")
        verbose_name_plural = _("纠纷流转记录")

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.from_status} → {self.to_status}"
