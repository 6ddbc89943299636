"""The periodic deadline job: mark overdue matters, queue reminders, dispatch the outbox.

Everything is found through indexed columns and written with compare-and-swap, so a
second run, or a run after a crash half-way, changes nothing more:

- overdue: ``UPDATE … SET is_overdue = true WHERE is_overdue = false AND next_due < today``;
- reminders: one ``Notification`` per (matter, kind, step, due, unit), inserted with
  ``ignore_conflicts`` against the unique constraint;
- only matters without a notice for their running period are queued (the unique key
  checked with ``NOT EXISTS``), so a run's work is what is new since the last one;
- dispatch: ``UPDATE … SET sent_at = stamp WHERE pk IN (…) AND sent_at IS NULL`` in
  batches until the outbox is empty; only the run that wins a row calls the senders.

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
from django.db.models import Exists, F, OuterRef
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

QUEUE_BATCH = 500  # notices per INSERT

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
    if p["next_due"] is None:
        return (
            f"{p['number']}:{step}期限待定(当年节假日安排未录入),不早于 "
            f"{p['next_due_not_before']},请按不晚于该日办理"
        )
    if kind == NotificationKind.OVERDUE:
        return f"{p['number']}:{step}期限为 {p['next_due']},已超期,请立即办理"
    return f"{p['number']}:{step}期限为 {p['next_due']},即将到期,请按时办理"


def _not_yet_notified(rows: Any, kind: str, *, due_column: str = "next_due") -> Any:
    """``rows`` without a notice of ``kind`` for their running period yet.

    The unique key of the outbox is (matter, kind, step, due, unit): a matter gets one
    overdue notice (and one reminder) per period and responsible unit. Filtering on it
    before inserting keeps each run's work proportional to what is new, not to every
    overdue matter of the province.
    """
    sent_for_period = Notification.objects.filter(
        petition_id=OuterRef("pk"),
        kind=kind,
        step=OuterRef("next_due_step"),
        due=OuterRef(due_column),
        recipient_unit_id=OuterRef("responsible_unit_id"),
    )
    return rows.filter(~Exists(sent_for_period))


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
        "next_due",
        "next_due_not_before",
        "next_due_step",
        "responsible_unit_id",
    )
    batch: list[Notification] = []
    for p in rows.values(*fields).iterator(chunk_size=1000):
        batch.append(
            Notification(
                petition_id=p["pk"],
                kind=kind,
                step=p["next_due_step"],
                due=p["next_due"] or p["next_due_not_before"],
                recipient_unit_id=p["responsible_unit_id"],
                text=_text(p, kind)[:300],
            )
        )
        if len(batch) >= QUEUE_BATCH:
            created += _insert(batch)
            batch = []
    if batch:
        created += _insert(batch)
    return created


def _insert(batch: list[Notification]) -> int:
    Notification.objects.bulk_create(batch, ignore_conflicts=True)
    return len(batch)


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


def dispatch_notifications(limit: int | None = None, *, batch_size: int = 500) -> int:
    """Deliver unsent notifications, each exactly once, until the outbox is empty.

    Each batch is claimed with one compare-and-swap ``UPDATE … SET sent_at = stamp WHERE
    pk IN (…) AND sent_at IS NULL``; the rows carrying this run's own ``stamp`` are the
    ones it won (a concurrent run claims with another stamp), and only those are handed
    to the senders. ``limit`` caps the number sent (``None``: the whole queue).
    """
    sent = 0
    last_pk = 0
    while limit is None or sent < limit:
        size = batch_size if limit is None else min(batch_size, limit - sent)
        pks = list(
            Notification.objects.unsent()
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not pks:
            break
        last_pk = pks[-1]
        stamp = timezone.now()
        won = Notification.objects.filter(pk__in=pks, sent_at__isnull=True).update(sent_at=stamp)
        sent += won
        if won and NOTIFICATION_SENDERS:
            for note in Notification.objects.filter(pk__in=pks, sent_at=stamp).order_by("pk"):
                for sender in NOTIFICATION_SENDERS:
                    sender(note)
    return sent


def run_deadline_job(today: date | None = None) -> JobResult:
    """The whole periodic job: recompute pending due dates, mark overdue, queue, dispatch."""
    from xinfang.petitions.services import recompute_deadlines
    from xinfang.petitions.windows import settle_window_checks

    today = today or timezone.localdate()
    recomputed = recompute_deadlines(pending_only=True, today=today)
    if recomputed:
        settle_window_checks()
    marked = mark_overdue(today)
    queued = queue_reminders(today)
    sent = dispatch_notifications()
    return JobResult(recomputed, marked, queued, sent)
