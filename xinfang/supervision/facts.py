"""Assessment facts derived from supervision records (Arts. 38–40 of the 2022 《信访工作条例》).

* ``supervision.notice.unanswered``: a supervision notice to a unit whose written answer
  (adopted or not, with reasons) was due in the period and had not been given by the due
  date (model-2022 item 3.2, per case).
* ``supervision.reminder.unreported``: a reminder (催办) with a reply date in the period,
  not replied by then (model-2022 item 3.3, per time).

One fact per record and subject whose subtree holds the responsible unit, so every deducted
point traces to a notice or reminder; the record is the fact's evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import F, Q

from xinfang.core.facts import Fact, FactWindow, Provider, covering, record_ref, unit_subject
from xinfang.org.models import Unit
from xinfang.org.querysets import any_subtree_q
from xinfang.supervision.models import Reminder, SupervisionNotice

__all__ = ["PROVIDER", "SUPERVISION_KEYS", "supervision_fact_rows", "supervision_facts"]

# The duty keys of this provider (docs/assessment.md, "Duty keys").
SUPERVISION_KEYS: dict[str, str] = {
    "supervision.notice.unanswered": "督办通知未在期限内书面回复是否采纳（第三十八至四十条）",
    "supervision.reminder.unreported": "催办后未在期限内报送办理情况（第三十八条）",
}
_SOURCE = "supervision.facts"


def supervision_facts(w: FactWindow, subjects: Sequence[Unit]) -> list[Fact]:
    """Late supervision answers of the subjects' subtrees with the due date in the window
    and already past on ``as_of`` (one query per kind, all subjects at once)."""
    units = list(subjects)
    scope = any_subtree_q([u.path for u in units], "responsible_unit__path")
    if scope is None:
        return []
    facts: list[tuple[int, Fact]] = []
    order = {u.path: i for i, u in enumerate(units)}

    def add(path: str, key: str, day: date, note: str, evidence: str) -> None:
        for unit in covering(path, units):
            fact = Fact(unit_subject(unit), key, day, note=note, evidence=evidence, source=_SOURCE)
            facts.append((order[unit.path], fact))

    late = Q(answered_on__isnull=True) | Q(answered_on__gt=F("answer_due"))
    for n in (
        SupervisionNotice.objects.filter(scope, answer_due__gte=w.start, answer_due__lt=w.as_of)
        .filter(late)
        .select_related("petition", "responsible_unit")
        .order_by("answer_due", "pk")
    ):
        add(
            n.responsible_unit.path,
            "supervision.notice.unanswered",
            n.answer_due or w.as_of,
            f"{n.number} 事项{n.petition.number} {n.responsible_unit.name} "
            f"应于{n.answer_due:%Y-%m-%d}前书面回复",
            record_ref("supervision.SupervisionNotice", n.pk),
        )
    late = Q(replied_on__isnull=True) | Q(replied_on__gt=F("reply_due"))
    for r in (
        Reminder.objects.filter(scope, reply_due__gte=w.start, reply_due__lt=w.as_of)
        .filter(late)
        .select_related("petition", "responsible_unit")
        .order_by("reply_due", "pk")
    ):
        add(
            r.responsible_unit.path,
            "supervision.reminder.unreported",
            r.reply_due or w.as_of,
            f"催办 事项{r.petition.number} {r.responsible_unit.name} "
            f"应于{r.reply_due:%Y-%m-%d}前报送办理情况",
            record_ref("supervision.Reminder", r.pk),
        )
    facts.sort(key=lambda f: f[0])  # stable: by subject, then as queried
    return [f for _i, f in facts]


def supervision_fact_rows(unit: Unit, start: date, end: date, *, today: date) -> list[Fact]:
    """The facts of ``unit``'s subtree with the due date in ``[start, end]`` and already
    past on ``today``."""
    return supervision_facts(FactWindow.of(start, end, today), [unit])


# Registered from SupervisionConfig.ready().
PROVIDER = Provider("supervision", SUPERVISION_KEYS, supervision_facts)
