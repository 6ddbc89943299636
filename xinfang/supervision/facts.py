"""Assessment facts derived from supervision records (model rulebook items 3.2 and 3.3).

* ``3.2`` 督办通知未在期限内书面回复是否采纳 (per case): a notice to a unit in the subtree
  whose answer was due in the period and had not been given by the due date.
* ``3.3`` 催办后仍未在期限内报送办理情况 (per time): a reminder with a reply date due in the
  period, not replied by then.

One fact row per record, so every deducted point traces to a notice or reminder by number.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q

from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.measures import FactRow, subject_code
from xinfang.supervision.models import Reminder, SupervisionNotice

__all__ = ["MODEL_2022_SUPERVISION_CODES", "supervision_fact_rows"]

MODEL_2022_SUPERVISION_CODES = {"notice.unanswered": "3.2", "reminder.unreported": "3.3"}


def supervision_fact_rows(
    unit: Unit,
    start: date,
    end: date,
    *,
    today: date,
    codes: dict[str, str] | None = None,
) -> list[FactRow]:
    """Late supervision answers of ``unit``'s subtree with the due date in ``[start, end]``
    and already past on ``today``."""
    codes = codes or MODEL_2022_SUPERVISION_CODES
    as_of = min(end, today)
    rows: list[FactRow] = []
    scope = subtree_q(unit.path, "responsible_unit__path")
    subject = subject_code(unit)
    if "notice.unanswered" in codes:
        late = Q(answered_on__isnull=True) | Q(answered_on__gt=F("answer_due"))
        notices = (
            SupervisionNotice.objects.filter(scope, answer_due__gte=start, answer_due__lt=as_of)
            .filter(late)
            .select_related("petition", "responsible_unit")
            .order_by("answer_due", "pk")
        )
        for n in notices:
            rows.append(
                FactRow(
                    subject=subject,
                    item=codes["notice.unanswered"],
                    date=n.answer_due or as_of,
                    quantity=1,
                    value=None,
                    note=f"{n.number} 事项{n.petition.number} {n.responsible_unit.name} "
                    f"应于{n.answer_due:%Y-%m-%d}前书面回复",
                )
            )
    if "reminder.unreported" in codes:
        late = Q(replied_on__isnull=True) | Q(replied_on__gt=F("reply_due"))
        reminders = (
            Reminder.objects.filter(scope, reply_due__gte=start, reply_due__lt=as_of)
            .filter(late)
            .select_related("petition", "responsible_unit")
            .order_by("reply_due", "pk")
        )
        for r in reminders:
            rows.append(
                FactRow(
                    subject=subject,
                    item=codes["reminder.unreported"],
                    date=r.reply_due or as_of,
                    quantity=1,
                    value=None,
                    note=f"催办 事项{r.petition.number} {r.responsible_unit.name} "
                    f"应于{r.reply_due:%Y-%m-%d}前报送办理情况",
                )
            )
    return rows
