"""Notices of a period to its subject units, through the one outbox."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from xinfang.assessment.choices import PeriodStatus
from xinfang.assessment.models import Period, Subject
from xinfang.core import outbox

__all__ = ["KIND", "remind_deadlines", "tell_subjects"]

KIND = "assessment"
# Reminders go out this many days before a phase's deadline.
REMIND_DAYS = 2


def tell_subjects(period: Period, phase: str, text: str) -> int:
    """Queue ``text`` once per subject unit of ``period`` for ``phase`` (idempotent)."""
    link = reverse("assessment:period_detail", args=[period.pk])
    units = Subject.objects.filter(period=period).values_list("unit_id", flat=True)
    # One batch: a county-wide period tells thousands of units at once.
    created = outbox.queue_many(
        outbox.build_message(
            key=f"assessment:{period.pk}:{phase}:{unit_id}",
            kind=KIND,
            text=text[:500],
            recipient_unit_id=unit_id,
            link=link,
            source="assessment",
            subject=period.title[:60],
            data={},
        )
        for unit_id in units
    )
    return len(created)


def remind_deadlines(today: date) -> int:
    """Remind subject units of a declaration or appeal deadline coming within
    :data:`REMIND_DAYS` days (each once: the outbox key is per period, phase and unit)."""
    n = 0
    for status, field, phase, what in (
        (PeriodStatus.DECLARATION, "declaration_due", "declaration-due", "自评申报"),
        (PeriodStatus.APPEALS, "appeal_due", "appeal-due", "申诉"),
    ):
        lookup = {
            "status": status,
            f"{field}__gte": today,
            f"{field}__lte": date.fromordinal(today.toordinal() + REMIND_DAYS),
        }
        for period in Period.objects.filter(**lookup):
            due = getattr(period, field)
            n += tell_subjects(
                period, phase, f"{period.title}{what}将于{due:%Y年%m月%d日}截止，请及时办理。"
            )
    return n
