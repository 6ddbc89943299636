"""Assessment facts derived from the ledgers: every late or missing item, as CSV rows.

Each is a :class:`xinfang.core.facts.Fact` under a ``ledgers.*`` duty key (:data:`ITEMS`,
documented in docs/assessment.md, "Duty keys"); a rulebook maps the keys to its own items.
The subject is the unit's code (``unit_subject``: its administrative or organisation code,
else ``U<pk>``); the ledger record is the evidence; the app's own qualifiers (round or report
kind, campaign, risk level) are in ``tags``.

Derivation is from the records alone and does not depend on the periodic job having run:
a report is missing (漏报) if it was marked so, or is still unfiled past its ``missing_at``,
or was filed after it (补报); late (迟报) if filed after ``due_at`` but not missing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from xinfang.core.facts import Fact, FactWindow, Provider, covering, record_ref, unit_subject
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
from xinfang.org.querysets import any_subtree_q

__all__ = ["ITEMS", "PROVIDER", "derive_facts", "ledger_facts"]

_SOURCE = "ledgers.facts"

ITEMS: dict[str, str] = {
    "ledgers.screening.missing": "排查轮次逾期未开展/未报送",
    "ledgers.screening.late": "排查轮次逾期报送",
    "ledgers.report.late": "定期报告迟报",
    "ledgers.report.missing": "定期报告漏报",
    "ledgers.zero_report.late": "零报告迟报",
    "ledgers.zero_report.missing": "零报告漏报",
    "ledgers.urgent_report.late": "紧急报告/预警反馈超时",
    "ledgers.urgent_report.missing": "紧急报告/预警反馈未报",
    "ledgers.submission.late": "专项行动材料迟报",
    "ledgers.submission.missing": "专项行动材料漏报",
    "ledgers.meeting.missing": "例会未召开",
    "ledgers.reception.leader_absent": "暗访督查时接访领导未按日程接访",
    "ledgers.duty.absence": "值班人员脱岗",
    "ledgers.dispute.overdue": "矛盾纠纷逾期未化解",
}


def _fact(record: Any, unit: Any, key: str, day: date, **kw: Any) -> tuple[str, Fact]:
    """A fact of ``unit`` with ``record`` as evidence, with the unit's path for attribution."""
    fact = Fact(
        unit_subject(unit),
        key,
        day,
        evidence=record_ref(record._meta.label, record.pk),
        source=_SOURCE,
        **kw,
    )
    return unit.path, fact


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def _report_item(due: ReportDue, outcome: str) -> str:
    if due.kind in URGENT_KINDS:
        return f"ledgers.urgent_report.{outcome}"
    if due.kind == ReportKind.SUBMISSION:
        return f"ledgers.submission.{outcome}"
    if due.zero_reporting:
        return f"ledgers.zero_report.{outcome}"
    return f"ledgers.report.{outcome}"


def _report_facts(start: date, end: date, now: datetime, unit_q: Q) -> Iterator[tuple[str, Fact]]:
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
            note = f"{due.title}；应报 {_local(due.due_at):%Y-%m-%d %H:%M}"
            if due.filed_at:
                note += f";{_local(due.filed_at):%Y-%m-%d %H:%M} 补报"
            yield _fact(due, due.unit, _report_item(due, "missing"), day, tags=tags, note=note)
        elif due.filed_at is not None and due.filed_at > due.due_at:
            minutes = int((due.filed_at - due.due_at).total_seconds() // 60)
            yield _fact(
                due,
                due.unit,
                _report_item(due, "late"),
                day,
                tags=tags,
                note=f"{due.title}；迟报 {minutes} 分钟",
            )


def derive_facts(
    start: date, end: date, *, unit: Any = None, now: datetime | None = None
) -> list[Fact]:
    """Every ledger fact dated in ``[start, end]`` (only what is already late or missing at
    ``now``), for ``unit``'s subtree or everywhere, each on the unit that owed it."""
    subtree = None if unit is None else [unit.path]
    return [fact for _path, fact in _derive(start, end, subtree, now)]


def ledger_facts(w: FactWindow, subjects: Sequence[Any]) -> list[Fact]:
    """The registered provider: the facts of the subjects' subtrees in the window, each
    counted for every subject whose subtree holds the unit that owed it."""
    units = list(subjects)
    if not units:
        return []
    order = {u.path: i for i, u in enumerate(units)}
    rows = [
        (order[s.path], replace(fact, subject=unit_subject(s)))
        for path, fact in _derive(w.start, w.as_of, [u.path for u in units], None)
        for s in covering(path, units)
    ]
    rows.sort(key=lambda r: r[0])  # stable: by subject, then by date as derived
    return [fact for _i, fact in rows]


def _derive(
    start: date, end: date, paths: list[str] | None, now: datetime | None
) -> list[tuple[str, Fact]]:
    now = now or timezone.now()
    today = timezone.localdate(now)

    def uq(field: str = "unit") -> Q:
        if paths is None:
            return Q()
        return any_subtree_q(paths, f"{field}__path") or Q(pk__in=[])

    facts: list[tuple[str, Fact]] = []

    for rnd in ScreeningRound.objects.filter(
        uq(), due_date__gte=start, due_date__lte=end, due_date__lt=today, due_pending=False
    ).select_related("unit"):
        if rnd.filed_at is None:
            facts.append(
                _fact(
                    rnd,
                    rnd.unit,
                    "ledgers.screening.missing",
                    rnd.due_date,
                    tags=rnd.kind,
                    note=f"{rnd.title}；应于 {rnd.due_date} 前开展并报送",
                )
            )
        elif _local(rnd.filed_at).date() > rnd.due_date:
            days = (_local(rnd.filed_at).date() - rnd.due_date).days
            facts.append(
                _fact(
                    rnd,
                    rnd.unit,
                    "ledgers.screening.late",
                    rnd.due_date,
                    tags=rnd.kind,
                    note=f"{rnd.title}；逾期 {days} 天报送",
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
                    _fact(
                        req,
                        req.unit,
                        "ledgers.meeting.missing",
                        w_end,
                        note=f"{req.title}：{w_start}—{w_end} 未召开",
                    )
                )

    for check in SpotCheck.objects.filter(uq(), leader_present=False).select_related(
        "unit", "slot"
    ):
        day = _local(check.checked_at).date()
        if start <= day <= end:
            facts.append(
                _fact(
                    check,
                    check.unit,
                    "ledgers.reception.leader_absent",
                    day,
                    note=f"{check.slot.leader_name} {check.slot.day} 未按日程接访：{check.note}",
                )
            )

    for shift in DutyShift.objects.filter(
        uq("roster__unit"), absent_at__isnull=False, day__gte=start, day__lte=end
    ).select_related("roster__unit"):
        facts.append(
            _fact(
                shift,
                shift.roster.unit,
                "ledgers.duty.absence",
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
            _fact(
                dispute,
                dispute.unit,
                "ledgers.dispute.overdue",
                first_overdue,
                tags=dispute.risk_level,
                note=note,
            )
        )

    facts.sort(key=lambda f: (f[1].date, f[1].subject, f[1].key, f[1].note))
    return facts


# Registered from LedgersConfig.ready().
PROVIDER = Provider("ledgers", ITEMS, ledger_facts)
