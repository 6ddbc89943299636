"""The parts of the handling the 2022 regulation asks to be recorded besides the steps:
recusal (回避), co-handling units (Art. 24), agreements (Art. 33) and help after closure
(Art. 37). Each row hangs off a :class:`Petition` and is scoped through it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.querysets import PetitionChildQuerySet

_USER = settings.AUTH_USER_MODEL


class Recusal(models.Model):
    """A staff member who has an interest in the matter or the petitioner (回避): declared
    by themselves or recorded by a leader; from then on they cannot handle it."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="recusals"
    )
    user = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("回避理由"))
    self_declared = models.BooleanField(_("本人申请"), default=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [
            models.UniqueConstraint(fields=["petition", "user"], name="one_recusal_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} 回避 {self.user_id}"


class CoHandling(models.Model):
    """A co-handling unit of a matter for several bodies (条例 Art. 24): the responsible
    unit leads; each co-handling unit signs off its own part before the answer."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="co_handlers"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    part = models.TextField(_("承担的办理事项"))
    added_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField(_("确定日期"))
    signed_off_on = models.DateField(_("办结确认日期"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("办理情况"), blank=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["added_on", "pk"]
        verbose_name = _("协办单位")
        verbose_name_plural = _("协办单位")
        constraints = [
            models.UniqueConstraint(fields=["petition", "unit"], name="one_co_handling_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} 协办 {self.unit_id}"


class Agreement(models.Model):
    """A mediation or settlement agreement reached in the handling (条例 Art. 33); it also
    lands in the dispute ledger (``dispute_ref`` names the ledger's row)."""

    class Kind(models.TextChoices):
        MEDIATION = "mediation", _("调解协议")
        SETTLEMENT = "settlement", _("和解协议")

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    parties = models.CharField(_("当事人"), max_length=300)
    text = models.TextField(_("协议内容"))
    agreed_on = models.DateField(_("达成日期"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    dispute_ref = models.CharField(_("矛盾纠纷台账编号"), max_length=40, blank=True)

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["agreed_on", "pk"]
        verbose_name = _("调解和解协议")
        verbose_name_plural = _("调解和解协议")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.get_kind_display()}"


class AftercareHelp(models.Model):
    """Help given after the matter was closed (帮扶, 条例 Art. 37): to a petitioner whose
    request was lawfully answered but who is in real difficulty."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="aftercare"
    )
    given_on = models.DateField(_("帮扶日期"))
    measure = models.CharField(_("帮扶措施"), max_length=200)
    note = models.TextField(_("帮扶情况"), blank=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[PetitionChildQuerySet] = PetitionChildQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["given_on", "pk"]
        verbose_name = _("帮扶")
        verbose_name_plural = _("帮扶")

    def __str__(self) -> str:
        return f"{self.petition_id} 帮扶 {self.given_on}"
