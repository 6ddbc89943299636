"""The periodic deadline job: mark overdue matters, queue reminders, dispatch the outbox.

Everything is found through indexed columns and written with compare-and-swap, so a
second run, or a run after a crash half-way, changes nothing more:

- overdue: ``UPDATE … SET is_overdue = true WHERE is_overdue = false AND next_due < today``;
- reminders: one outbox ``core.Message`` per (matter, kind, step, due, unit) — its key
  ``petitions:<kind>:<matter>:<step>:<due>:<unit>`` — queued with ``core.outbox.queue_many``
  (``ignore_conflicts`` against the unique key), to the responsible unit's inbox;
- only matters without a notice for their running period are queued (the unique key
  checked with ``NOT EXISTS``), so a run's work is what is new since the last one;
- dispatch: ``core.outbox.dispatch`` (compare-and-swap claims; see there).

A notice about an accusation names its accused, so the outbox never queues it to, nor shows
it to, the accused unit or person (条例 Art. 30).

``XINFANG_REMINDER_DAYS`` ("route=3,notice=3,handle=7,review=5") says how many days before
each step's due date the reminder is queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from xinfang.core import outbox
from xinfang.core.models import Message
from xinfang.petitions.choices import DueStep, Kind, NotificationKind
from xinfang.petitions.models import Petition

__all__ = [
    "PETITION_SOURCE",
    "JobResult",
    "mark_overdue",
    "message_key",
    "messages_about",
    "queue_reminders",
    "reminder_days",
    "run_deadline_job",
]

PETITION_SOURCE = "petitions.Petition:"  # + pk: the source reference of a matter's messages
QUEUE_BATCH = 500  # notices per INSERT

DEFAULT_REMINDER_DAYS = "route=3,notice=3,objection=1,handle=7,report=3,review=5,rereview=5"


def reminder_days(spec: str | None = None) -> dict[str, int]:
    """Parse ``XINFANG_REMINDER_DAYS``; unknown steps or bad numbers are an error."""
    raw = spec if spec is not None else getattr(settings, "XINFANG_REMINDER_DAYS", "")
    result: dict[str, int] = {}
    for part in (raw or DEFAULT_REMINDER_DAYS).split(","):
        if not part.strip():
            continue
        step, _, days = part.partition("=")
        step = step.strip()
        if step not in DueStep.values:
            raise ValueError(f"XINFANG_REMINDER_DAYS: unknown step {step!r}")
        result[step] = int(days)
    return result


@dataclass(frozen=True)
class JobResult:
    recomputed: int
    marked_overdue: int
    queued: int
    sent: int


def _text(p: dict[str, Any], kind: str) -> str:
    step = DueStep(p["next_due_step"]).label
    if p["next_due"] is None:
        return (
            f"{p['number']}：{step}期限待定（当年节假日安排未录入），不早于 "
            f"{p['next_due_not_before']}，请按不晚于该日办理"
        )
    if kind == NotificationKind.OVERDUE:
        return f"{p['number']}：{step}期限为 {p['next_due']}，已超期，请立即办理"
    return f"{p['number']}：{step}期限为 {p['next_due']}，即将到期，请按时办理"


def messages_about(petition: Any) -> Any:
    """The outbox messages about one matter (any kind, any recipient)."""
    pk = getattr(petition, "pk", petition)
    return Message.objects.filter(source=f"{PETITION_SOURCE}{pk}")


def message_key(kind: str, petition_id: int, step: str, due: date, unit_id: int) -> str:
    """The outbox key of a matter's notice: one per (kind, matter, step, due, unit)."""
    return f"petitions:{kind}:{petition_id}:{step}:{due.isoformat()}:{unit_id}"


def _not_yet_notified(rows: Any, kind: str, *, due_column: str = "next_due") -> Any:
    """``rows`` without a notice of ``kind`` for their running period yet.

    The outbox key is (kind, matter, step, due, unit): a matter gets one overdue notice
    (and one reminder) per period and responsible unit. Filtering on it (the unique key
    index) before inserting keeps each run's work proportional to what is new, not to
    every overdue matter of the province.
    """
    key = Concat(
        Value(f"petitions:{kind}:"),
        Cast(OuterRef("pk"), CharField()),
        Value(":"),
        OuterRef("next_due_step"),
        Value(":"),
        Cast(OuterRef(due_column), CharField()),
        Value(":"),
        Cast(OuterRef("responsible_unit_id"), CharField()),
        output_field=CharField(),
    )
    return rows.filter(~Exists(Message.objects.filter(key=key)))


def mark_overdue(today: date) -> int:
    """Mark matters whose running period has ended; queue one overdue notice each.

    The notice is queued for every overdue matter still without one for its period: the
    ones marked now, those a transition or registration found already overdue, and those
    a run that crashed between the two steps left behind.
    """
    due = Petition.objects.filter(next_due__isnull=False, next_due__lt=today, is_overdue=False)
    marked = 0
    # Probe first (the partial next_due index): a run with nothing to mark issues no write.
    if due.exists():
        with transaction.atomic():
            marked = due.update(is_overdue=True, overdue_since=F("next_due"))
    rows = Petition.objects.filter(next_due__isnull=False, next_due__lt=today, is_overdue=True)
    _queue(_not_yet_notified(rows, NotificationKind.OVERDUE), NotificationKind.OVERDUE)
    return marked


def _queue(rows: Any, kind: str) -> int:
    """Insert a notice for each row; returns how many were offered to the outbox.

    ``rows`` are already filtered to matters without a notice for the period, so the
    count is what this run queued; a concurrent run inserting the same notice first is
    absorbed by ``ignore_conflicts`` against the unique key (and may be counted twice).
    """
    created = 0
    fields = (
        "pk",
        "number",
        "kind",
        "accused_unit_id",
        "accused_user_id",
        "next_due",
        "next_due_not_before",
        "next_due_step",
        "responsible_unit_id",
    )
    batch: list[Message] = []
    for p in rows.values(*fields).iterator(chunk_size=1000):
        due = p["next_due"] or p["next_due_not_before"]
        accusation = p["kind"] == Kind.ACCUSATION
        batch.append(
            outbox.build_message(
                key=message_key(kind, p["pk"], p["next_due_step"], due, p["responsible_unit_id"]),
                kind=kind,
                recipient_unit_id=p["responsible_unit_id"],
                text=_text(p, kind)[:300],
                link=reverse("petitions:petition_detail", args=[p["pk"]]),
                source=f"{PETITION_SOURCE}{p['pk']}",
                subject=p["number"],
                due=due,
                data={"step": p["next_due_step"]},
                accused_unit_id=p["accused_unit_id"] if accusation else None,
                accused_user_id=p["accused_user_id"] if accusation else None,
                channel="",
            )
        )
        if len(batch) >= QUEUE_BATCH:
            created += len(outbox.queue_many(batch))
            batch = []
    if batch:
        created += len(outbox.queue_many(batch))
    return created


def queue_reminders(today: date, days: dict[str, int] | None = None) -> int:
    """Queue a reminder for each matter whose running step ends within its N days."""
    days = days if days is not None else reminder_days()
    queued = 0
    for step, n in days.items():
        rows = Petition.objects.filter(
            next_due_step=step,
            next_due__isnull=False,
            next_due__gte=today,
            next_due__lte=today + timedelta(days=n),
            is_overdue=False,
        )
        queued += _queue(
            _not_yet_notified(rows, NotificationKind.REMINDER), NotificationKind.REMINDER
        )
        # A period waiting for its year's schedule is reminded against the earliest day it
        # can end on: the real date is that day or later, never earlier.
        provisional = Petition.objects.filter(
            next_due_step=step,
            next_due__isnull=True,
            next_due_not_before__isnull=False,
            next_due_not_before__gte=today,
            next_due_not_before__lte=today + timedelta(days=n),
        )
        queued += _queue(
            _not_yet_notified(
                provisional, NotificationKind.REMINDER, due_column="next_due_not_before"
            ),
            NotificationKind.REMINDER,
        )
    return queued


def run_deadline_job(today: date | None = None) -> JobResult:
    """The whole periodic job: recompute pending due dates, mark overdue, queue, dispatch."""
    from xinfang.petitions.services import recompute_deadlines

    today = today or timezone.localdate()
    recomputed = recompute_deadlines(pending_only=True, today=today)
    marked = mark_overdue(today)
    queued = queue_reminders(today)
    sent = outbox.dispatch()
    return JobResult(recomputed, marked, queued, sent)
