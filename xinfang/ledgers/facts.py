"""Assessment facts derived from the ledgers: every late or missing item, as CSV rows.

The rows are the ``FACTS.csv`` format of ``xinfang assess`` (issue 4):
``subject,item,date,quantity,value,tags,note``. ``subject`` is the unit's
administrative/organisation code, or ``unit-<id>`` where it has none. Item codes are listed
in :data:`ITEMS` and documented in docs/ledgers.md; a rulebook maps them to its own items.

Derivation is from the records alone and does not depend on the periodic job having run:
a report is missing (漏报) if it was marked so, or is still unfiled past its ``missing_at``,
or was filed after it (补报); late (迟报) if filed after ``due_at`` but not missing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.db.models import F, Q
from django.utils import timezone

from xinfang.ledgers.choices import OPEN_DISPUTE_STATUSES, URGENT_KINDS, ReportKind, ReportStatus
from xinfang.ledgers.models import (
    Dispute,
    DutyShift,
    Meeting,
    MeetingRequirement,
    ReportDue,
    ScreeningRound,
    SpotCheck,
)
from xinfang.ledgers.schedule import missing_periods

__all__ = ["COLUMNS", "ITEMS", "Fact", "derive_facts", "subject_code", "write_csv"]

COLUMNS = ["subject", "item", "date", "quantity", "value", "tags", "note"]

ITEMS: dict[str, str] = {
    "ledger.screening.missing": "排查轮次逾期未开展/未报送",
    "ledger.screening.late": "排查轮次逾期报送",
    "ledger.report.late": "定期报告迟报",
    "ledger.report.missing": "定期报告漏报",
    "ledger.zero_report.late": "零报告迟报",
    "ledger.zero_report.missing": "零报告漏报",
    "ledger.urgent_report.late": "紧急报告/预警反馈超时",
    "ledger.urgent_report.missing": "紧急报告/预警反馈未报",
    "ledger.submission.late": "专项行动材料迟报",
    "ledger.submission.missing": "专项行动材料漏报",
    "ledger.meeting.missing": "例会未召开",
    "ledger.reception.leader_absent": "暗访督查时接访领导未按日程接访",
    "ledger.duty.absence": "值班人员脱岗",
    "ledger.dispute.overdue": "矛盾纠纷逾期未化解",
}


@dataclass(frozen=True)
class Fact:
    subject: str
    item: str
    date: date
    quantity: int = 1
    value: str = ""
    tags: str = ""
    note: str = ""

    def row(self) -> list[str]:
        return [
            self.subject,
            self.item,
            self.date.isoformat(),
            str(self.quantity),
            self.value,
            self.tags,
            self.note,
        ]


def subject_code(unit: Any) -> str:
    return unit.admin_code or f"unit-{unit.pk}"


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def _report_item(due: ReportDue, outcome: str) -> str:
    if due.kind in URGENT_KINDS:
        return f"ledger.urgent_report.{outcome}"
    if due.kind == ReportKind.SUBMISSION:
        return f"ledger.submission.{outcome}"
    if due.zero_reporting:
        return f"ledger.zero_report.{outcome}"
    return f"ledger.report.{outcome}"


def _report_facts(start: date, end: date, now: datetime, unit_q: Q) -> Iterable[Fact]:
    dues = (
        ReportDue.objects.filter(unit_q)
        .filter(due_at__lt=now, due_pending=False)
        .exclude(status=ReportStatus.FILED, filed_at__lte=F("due_at"))
        .select_related("unit", "obligation")
        .order_by("due_at", "pk")
    )
    for due in dues.iterator(chunk_size=2000):
        day = _local(due.due_at).date()
        if not start <= day <= end:
            continue
        tags = due.kind if due.kind in URGENT_KINDS else ""
        if due.obligation_id and due.obligation and due.obligation.campaign_id:
            tags = f"campaign-{due.obligation.campaign_id}"
        missing = (
            due.marked_missing_at is not None
            or (due.filed_at is None and due.missing_at <= now)
            or (due.filed_at is not None and due.filed_at > due.missing_at)
        )
        if missing:
            note = f"{due.title};应报 {_local(due.due_at):%Y-%m-%d %H:%M}"
            if due.filed_at:
                note += f";{_local(due.filed_at):%Y-%m-%d %H:%M} 补报"
            yield Fact(
                subject_code(due.unit), _report_item(due, "missing"), day, tags=tags, note=note
            )
        elif due.filed_at is not None and due.filed_at > due.due_at:
            minutes = int((due.filed_at - due.due_at).total_seconds() // 60)
            yield Fact(
                subject_code(due.unit),
                _report_item(due, "late"),
                day,
                tags=tags,
                note=f"{due.title};迟报 {minutes} 分钟",
            )


def derive_facts(
    start: date, end: date, *, unit: Any = None, now: datetime | None = None
) -> list[Fact]:
    """Every ledger fact dated in ``[start, end]`` (only what is already late or missing at
    ``now``), for ``unit``'s subtree or everywhere."""
    now = now or timezone.now()
    today = timezone.localdate(now)

    def uq(field: str = "unit") -> Q:
        if unit is None:
            return Q()
        return Q(**{f"{field}__path__gte": unit.path, f"{field}__path__lt": unit.path + "~"})

    facts: list[Fact] = []

    for rnd in ScreeningRound.objects.filter(
        uq(), due_date__gte=start, due_date__lte=end, due_date__lt=today, due_pending=False
    ).select_related("unit"):
        if rnd.filed_at is None:
            facts.append(
                Fact(
                    subject_code(rnd.unit),
                    "ledger.screening.missing",
                    rnd.due_date,
                    tags=rnd.kind,
                    note=f"{rnd.title};应于 {rnd.due_date} 前开展并报送",
                )
            )
        elif _local(rnd.filed_at).date() > rnd.due_date:
            days = (_local(rnd.filed_at).date() - rnd.due_date).days
            facts.append(
                Fact(
                    subject_code(rnd.unit),
                    "ledger.screening.late",
                    rnd.due_date,
                    tags=rnd.kind,
                    note=f"{rnd.title};逾期 {days} 天报送",
                )
            )

    facts.extend(_report_facts(start, end, now, uq()))

    requirements = MeetingRequirement.objects.filter(
        uq(), valid_from__lte=end, valid_to__gte=start
    ).select_related("unit")
    for req in requirements:
        held = list(
            Meeting.objects.filter(
                unit_id=req.unit_id, held_on__gte=req.valid_from, held_on__lte=req.valid_to
            ).values_list("held_on", flat=True)
        )
        for w_start, w_end in missing_periods(
            req.cadence, req.valid_from, req.valid_to, held, today
        ):
            if start <= w_end <= end:
                facts.append(
                    Fact(
                        subject_code(req.unit),
                        "ledger.meeting.missing",
                        w_end,
                        note=f"{req.title}:{w_start}—{w_end} 未召开",
                    )
                )

    for check in SpotCheck.objects.filter(uq(), leader_present=False).select_related(
        "unit", "slot"
    ):
        day = _local(check.checked_at).date()
        if start <= day <= end:
            facts.append(
                Fact(
                    subject_code(check.unit),
                    "ledger.reception.leader_absent",
                    day,
                    note=f"{check.slot.leader_name} {check.slot.day} 未按日程接访:{check.note}",
                )
            )

    for shift in DutyShift.objects.filter(
        uq("roster__unit"), absent_at__isnull=False, day__gte=start, day__lte=end
    ).select_related("roster__unit"):
        facts.append(
            Fact(
                subject_code(shift.roster.unit),
                "ledger.duty.absence",
                shift.day,
                note=f"{shift.roster.title} {shift.officer_name}:{shift.absence_note}",
            )
        )

    overdue = (
        Dispute.objects.filter(
            uq(), deadline__gte=start - timedelta(days=1), deadline__lt=min(end, today)
        )
        .filter(Q(status__in=OPEN_DISPUTE_STATUSES) | Q(resolved_at__isnull=False))
        .select_related("unit")
    )
    for dispute in overdue:
        first_overdue = dispute.deadline + timedelta(days=1)
        if not start <= first_overdue <= end:
            continue
        if dispute.resolved_at is not None:
            resolved_day = _local(dispute.resolved_at).date()
            if resolved_day <= dispute.deadline:
                continue
            note = f"{dispute.number} 逾期 {(resolved_day - dispute.deadline).days} 天后化解"
        else:
            note = f"{dispute.number} 截至 {today} 逾期 {(today - dispute.deadline).days} 天未化解"
        facts.append(
            Fact(
                subject_code(dispute.unit),
                "ledger.dispute.overdue",
                first_overdue,
                tags=dispute.risk_level,
                note=note,
            )
        )

    facts.sort(key=lambda f: (f.date, f.subject, f.item, f.note))
    return facts


def write_csv(facts: Iterable[Fact], out: IO[str]) -> int:
    """Write the facts with the header row; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for fact in facts:
        writer.writerow(fact.row())
        n += 1
    return n
