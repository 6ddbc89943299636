"""The periodic deadline job: mark overdue matters, queue reminders, dispatch the outbox.

Everything is found through indexed columns and written with compare-and-swap, so a
second run, or a run after a crash half-way, changes nothing more:

- overdue: ``UPDATE … SET is_overdue = true WHERE is_overdue = false AND next_due < today``;
- reminders: one ``Notification`` per (matter, kind, step, due, unit), inserted with
  ``ignore_conflicts`` against the unique constraint;
- dispatch: ``UPDATE … SET sent_at = now WHERE pk = … AND sent_at IS NULL``; only the run
  that wins the swap calls the senders.

``XINFANG_REMINDER_DAYS`` ("route=3,notice=3,handle=7,review=5") says how many days before
each step's due date the reminder is queued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xinfang.petitions.choices import DueStep, NotificationKind
from xinfang.petitions.models import Notification, Petition

__all__ = [
    "NOTIFICATION_SENDERS",
    "JobResult",
    "dispatch_notifications",
    "mark_overdue",
    "queue_reminders",
    "reminder_days",
    "run_deadline_job",
]

DEFAULT_REMINDER_DAYS = "route=3,notice=3,objection=1,handle=7,report=3,review=5,rereview=5"

# Channels beyond the in-app inbox (SMS gateway, e-mail) register a callable here.
NOTIFICATION_SENDERS: list[Callable[[Notification], None]] = []


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
    if kind == NotificationKind.OVERDUE:
        return f"{p['number']}:{step}期限为 {p['next_due']},已超期,请立即办理"
    return f"{p['number']}:{step}期限为 {p['next_due']},即将到期,请按时办理"


def mark_overdue(today: date) -> int:
    """Mark matters whose running period has ended; queue one overdue notice each."""
    with transaction.atomic():
        marked = Petition.objects.filter(
            next_due__isnull=False, next_due__lt=today, is_overdue=False
        ).update(is_overdue=True, overdue_since=F("next_due"))
    rows = Petition.objects.filter(next_due__isnull=False, next_due__lt=today, is_overdue=True)
    _queue(rows, NotificationKind.OVERDUE)
    return marked


def _queue(rows: Any, kind: str) -> int:
    created = 0
    fields = ("pk", "number", "next_due", "next_due_step", "responsible_unit_id")
    batch: list[Notification] = []
    for p in rows.values(*fields).iterator(chunk_size=1000):
        batch.append(
            Notification(
                petition_id=p["pk"],
                kind=kind,
                step=p["next_due_step"],
                due=p["next_due"],
                recipient_unit_id=p["responsible_unit_id"],
                text=_text(p, kind)[:300],
            )
        )
        if len(batch) >= 500:
            created += _insert(batch)
            batch = []
    if batch:
        created += _insert(batch)
    return created


def _insert(batch: list[Notification]) -> int:
    before = Notification.objects.count()
    Notification.objects.bulk_create(batch, ignore_conflicts=True)
    return Notification.objects.count() - before


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
        queued += _queue(rows, NotificationKind.REMINDER)
    return queued


def dispatch_notifications(limit: int = 1000) -> int:
    """Deliver unsent notifications, each exactly once (CAS on ``sent_at``)."""
    sent = 0
    for pk in Notification.objects.unsent().order_by("pk").values_list("pk", flat=True)[:limit]:
        won = Notification.objects.filter(pk=pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not won:
            continue
        sent += 1
        if NOTIFICATION_SENDERS:
            note = Notification.objects.get(pk=pk)
            for sender in NOTIFICATION_SENDERS:
                sender(note)
    return sent


def run_deadline_job(today: date | None = None) -> JobResult:
    """The whole periodic job: recompute pending due dates, mark overdue, queue, dispatch."""
    from xinfang.petitions.services import recompute_deadlines

    today = today or timezone.localdate()
    recomputed = recompute_deadlines(pending_only=True, today=today)
    marked = mark_overdue(today)
    queued = queue_reminders(today)
    sent = dispatch_notifications()
    return JobResult(recomputed, marked, queued, sent)
