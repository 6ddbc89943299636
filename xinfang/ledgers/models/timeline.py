"""The timeline of the ledger records other than disputes (rosters, reports, slots)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.workflow import TransitionLog


class LedgerTransition(TransitionLog):
    """One workflow step of a duty roster, a report due or a reception slot; ``unit`` is
    the record's unit, through which the row is scoped."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    record_type = models.CharField(_("台账记录类型"), max_length=40)
    record_id = models.PositiveIntegerField(_("台账记录"))

    class Meta(TransitionLog.Meta):
        indexes = [models.Index(fields=["record_type", "record_id"])]
        verbose_name = _("台账流转记录")
        verbose_name_plural = _("台账流转记录")
