"""Duty rosters, report obligations, filing, urgent reports, reminders and 漏报 marking."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from xinfang.core import audit, outbox
from xinfang.core import workflow as engine
from xinfang.core.audit import snapshot
from xinfang.core.calendar import LegalCalendar, legal_calendar
from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.core.workflow import SYSTEM
from xinfang.ledgers import schedule
from xinfang.ledgers.choices import (
    URGENT_KINDS,
    Cadence,
    PublishStatus,
    ReportKind,
    ReportStatus,
)
from xinfang.ledgers.models import (
    DutyRoster,
    DutyShift,
    ReportDue,
    ReportObligation,
    SensitivePeriod,
)
from xinfang.ledgers.services._common import check, local_tz
from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q


@transaction.atomic
def create_sensitive_period(
    *, actor: Any, unit: Unit, name: str, starts_on: date, ends_on: date
) -> SensitivePeriod:
    """Declare a sensitive period for ``unit``'s subtree (e.g. 省“两会”)."""
    check(actor, "lead", unit)
    if ends_on < starts_on:
        raise TransitionNotAllowed("结束日期不能早于开始日期")
    period = SensitivePeriod.objects.create(
        unit=unit, name=name, starts_on=starts_on, ends_on=ends_on
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=period, after=snapshot(period))
    return period


@transaction.atomic
def create_roster(
    *, actor: Any, unit: Unit, title: str, starts_on: date, ends_on: date, duty_phone: str = ""
) -> DutyRoster:
    """A draft duty roster for a holiday or sensitive period."""
    check(actor, "duty", unit)
    if ends_on < starts_on:
        raise TransitionNotAllowed("结束日期不能早于开始日期")
    roster = DutyRoster.objects.create(
        unit=unit,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        duty_phone=duty_phone,
        created_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=roster, after=snapshot(roster))
    return roster


@transaction.atomic
def add_shift(
    *,
    actor: Any,
    roster: DutyRoster,
    day: date,
    officer_name: str,
    starts_at: time = time(8, 30),
    ends_at: time = time(8, 30),
    leader_name: str = "",
    office_phone: str = "",
    mobile: str = "",
    officer: Any = None,
) -> DutyShift:
    """Add who is on duty on ``day``; a personal mobile is stored encrypted."""
    check(actor, "duty", roster.unit)
    if not roster.starts_on <= day <= roster.ends_on:
        raise TransitionNotAllowed(f"值班日期须在 {roster.starts_on} 至 {roster.ends_on} 之间")
    if not (office_phone or mobile or roster.duty_phone):
        raise TransitionNotAllowed("请填写值班电话（办公电话或手机）")
    shift = DutyShift(
        roster=roster,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        officer=officer,
        officer_name=officer_name,
        leader_name=leader_name,
        office_phone=office_phone,
    )
    shift.mobile = mobile
    shift.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=shift, after=snapshot(shift))
    return shift


def unstaffed_days(roster: DutyRoster) -> list[date]:
    """The roster's days with no shift at all: nobody answers the duty phone then
    (24-hour duty is the rule of the county's duty system)."""
    staffed = set(roster.shifts.values_list("day", flat=True))
    span = (roster.ends_on - roster.starts_on).days + 1
    days = (roster.starts_on + timedelta(days=i) for i in range(max(span, 0)))
    return [day for day in days if day not in staffed]


def unstaffed_text(days: list[date], shown: int = 10) -> str:
    """The days as a warning reads them (the first ``shown``, then how many more)."""
    text = "、".join(f"{day:%m月%d日}" for day in days[:shown])
    more = len(days) - shown
    return f"{text}等 {len(days)} 天" if more > 0 else text


@transaction.atomic
def publish_roster(*, actor: Any, roster: DutyRoster) -> DutyRoster:
    """Publish the roster to its unit (visible on the unit's pages and printable)."""
    check(actor, "duty", roster.unit)
    if not roster.shifts.exists():
        raise TransitionNotAllowed("值班表尚无班次，不能公布")
    if roster.status != PublishStatus.DRAFT:
        raise ConcurrentChange("该值班表已公布")
    moved: DutyRoster = engine.transition(roster, "publish", actor=actor)
    return moved


@transaction.atomic
def record_duty_absence(*, actor: Any, shift: DutyShift, note: str) -> DutyShift:
    """Record that the duty officer was absent from the post (脱岗), once per shift."""
    check(actor, "supervise", shift.roster.unit)
    if not note.strip():
        raise TransitionNotAllowed("请填写脱岗情况")
    now = timezone.now()
    updated = DutyShift.objects.filter(pk=shift.pk, absent_at__isnull=True).update(
        absent_at=now, absence_note=note.strip(), absence_recorded_by=actor
    )
    if not updated:
        raise ConcurrentChange("该班次已记录脱岗")
    shift.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.CHANGE, obj=shift, after=snapshot(shift))
    return shift


def obligation_spec(ob: ReportObligation) -> schedule.ObligationSpec:
    return schedule.ObligationSpec(
        cadence=ob.cadence,
        valid_from=ob.valid_from,
        valid_to=ob.valid_to,
        due_time=ob.due_time,
        due_weekday=ob.due_weekday,
        due_offset_working_days=ob.due_offset_working_days,
        once_due_date=ob.once_due_date,
        working_days_only=ob.working_days_only,
    )


def _period_label(ob: ReportObligation, start: date, end: date) -> str:
    if ob.cadence == Cadence.DAILY:
        return f"{ob.title}（{start:%m月%d日}）"
    if ob.cadence == Cadence.ONCE:
        return ob.title
    return f"{ob.title}（{start:%m月%d日}—{end:%m月%d日}）"


@transaction.atomic
def create_obligation(
    *, actor: Any, unit: Unit, checked: bool = False, **fields: Any
) -> ReportObligation:
    """Record a report obligation and generate what it makes due (see :func:`generate_dues`).

    ``checked``: the caller (a campaign's organiser) has already been checked.
    """
    if not checked:
        check(actor, "lead", unit)
    ob = ReportObligation(unit=unit, created_by=actor, **fields)
    if ob.valid_to < ob.valid_from:
        raise TransitionNotAllowed("截止日期不能早于起始日期")
    if ob.cadence == Cadence.ONCE and not ob.once_due_date:
        raise TransitionNotAllowed("一次性报送须填写报送日期")
    ob.full_clean()
    ob.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=ob, after=snapshot(ob))
    generate_dues(obligation=ob)
    return ob


def reporting_units(unit: Unit, level: str) -> list[Unit]:
    """The units an obligation set up by ``unit`` binds: itself (no ``level``), or every
    active unit of ``level`` in its subtree (each village of a township)."""
    if not level:
        return [unit]
    return list(
        Unit.objects.filter(subtree_q(unit.path), level=level, is_active=True)
        .exclude(pk=unit.pk)
        .order_by("path")
    )


@transaction.atomic
def create_obligations(
    *, actor: Any, unit: Unit, reporting_level: str = "", **fields: Any
) -> list[ReportObligation]:
    """One report obligation for ``unit``, or in one step one for each unit of
    ``reporting_level`` below it ("every village reports daily to the town"); the setting
    unit's leader sets them all, and each reporting unit gets its own dues."""
    check(actor, "lead", unit)
    units = reporting_units(unit, reporting_level)
    if not units:
        raise TransitionNotAllowed("该单位下没有所选层级的单位")
    return [create_obligation(actor=actor, unit=u, checked=True, **fields) for u in units]


def generate_dues(*, obligation: ReportObligation) -> int:
    """Create the ReportDue rows the obligation asks for; idempotent (unique per period)."""
    cal = legal_calendar()
    tz = local_tz()
    existing = set(obligation.dues.values_list("period_start", flat=True))
    kind = ReportKind.SUBMISSION if obligation.campaign_id else obligation.kind
    rows = [
        ReportDue(
            unit_id=obligation.unit_id,
            obligation=obligation,
            kind=kind,
            title=_period_label(obligation, due.period_start, due.period_end),
            zero_reporting=obligation.zero_reporting,
            period_start=due.period_start,
            period_end=due.period_end,
            due_at=due.due_at,
            due_pending=due.pending,
            remind_at=due.due_at - timedelta(hours=obligation.remind_before_hours),
            missing_at=due.due_at + timedelta(hours=obligation.missing_after_hours),
        )
        for due in schedule.report_schedule(obligation_spec(obligation), cal, tz)
        if due.period_start not in existing
    ]
    try:
        with transaction.atomic():
            ReportDue.objects.bulk_create(rows)
    except IntegrityError:  # a concurrent run got there first; fall back row by row
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue
    return len(rows)


def recompute_pending_report_dues(calendar: LegalCalendar | None = None) -> int:
    """Fill in report due times that waited for a year's holiday schedule; rows changed.

    A pending working-days-only daily report whose day turns out a rest day was never due:
    it is removed unless something was filed against it.
    """
    cal = calendar or legal_calendar()
    tz = local_tz()
    changed = 0
    pending = ReportDue.objects.filter(due_pending=True, obligation__isnull=False)
    obligations = ReportObligation.objects.filter(pk__in=pending.values("obligation_id"))
    for ob in obligations:
        by_period = {
            d.period_start: d for d in schedule.report_schedule(obligation_spec(ob), cal, tz)
        }
        for row in pending.filter(obligation=ob):
            due = by_period.get(row.period_start)
            if due is None:
                if row.filed_at is None:
                    changed += ReportDue.objects.filter(pk=row.pk, filed_at=None).delete()[0]
                continue
            if due.pending:
                continue
            changed += ReportDue.objects.filter(pk=row.pk, due_pending=True).update(
                due_at=due.due_at,
                due_pending=False,
                # reminded against the earliest possible time: remind again of the real one
                reminded_at=None,
                remind_at=due.due_at - timedelta(hours=ob.remind_before_hours),
                missing_at=due.due_at + timedelta(hours=ob.missing_after_hours),
            )
    return changed


@transaction.atomic
def record_urgent_event(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    title: str,
    event_at: datetime,
) -> ReportDue:
    """An event that makes an urgent report due: a major development (1 hour) or a warning
    pushed from above that needs feedback (2 hours), counted from ``event_at``."""
    check(actor, "view", unit)
    if kind not in URGENT_KINDS:
        raise TransitionNotAllowed("紧急报告类别不正确")
    due_at = schedule.urgent_due(kind, event_at)
    due = ReportDue.objects.create(
        unit=unit,
        kind=kind,
        title=title,
        event_at=event_at,
        due_at=due_at,
        remind_at=event_at + (due_at - event_at) / 2,
        missing_at=due_at + timedelta(hours=24),
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=due, after=snapshot(due))
    return due


@transaction.atomic
def file_report(*, actor: Any, due: ReportDue, is_zero: bool, content: str = "") -> ReportDue:
    """File a report. A zero report (零报告) says "nothing to report" and is still a report.

    A report filed after ``due_at`` is late (迟报); one already marked missing may still be
    filed (补报) but stays counted as missing.
    """
    check(actor, "duty", due.unit)
    content = (content or "").strip()
    if is_zero:
        content = content or "本期无情况（零报告）"
    elif not content:
        raise TransitionNotAllowed("请填写报告内容；如无情况，请选择“零报告”")
    if is_zero and due.kind in URGENT_KINDS:
        raise TransitionNotAllowed("紧急报告不能以零报告代替")
    # The job may have marked it missing since the form was shown: filing it still counts
    # (补报, it stays missing), so the step starts from the row as it is now.
    due.refresh_from_db()
    if due.filed_at is not None:
        raise TransitionNotAllowed("该报告已报送")
    moved: ReportDue = engine.transition(
        due, "file", actor=actor, data={"is_zero": is_zero, "content": content}
    )
    return moved


def queue_reminders(now: datetime) -> int:
    """Queue a reminder to the reporting unit's inbox for each open report whose reminder
    time has come.

    Compare-and-swap on ``reminded_at`` and the outbox's unique key: running twice, or on
    two workers at once, writes each reminder once.
    """
    count = 0
    due_ids = list(
        ReportDue.objects.filter(
            status=ReportStatus.DUE, reminded_at__isnull=True, remind_at__lte=now
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in due_ids:
        with transaction.atomic():
            if not ReportDue.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            due = ReportDue.objects.get(pk=pk)
            local = timezone.localtime(due.due_at)
            created = outbox.queue(
                key=f"ledgers:report_due:{pk}",
                kind="report_due",
                unit_id=due.unit_id,
                text=f"“{due.title}”应于 {local:%m月%d日 %H:%M} 前报送",
                link=reverse("ledgers:report_file", args=[pk]),
                source=f"ledgers.ReportDue:{pk}",
                subject=due.title,
                due=local.date(),
            )
            count += int(created is not None)
    return count


def mark_missing(now: datetime) -> int:
    """Mark reports still unfiled at their ``missing_at`` as missing (漏报), as the system;
    each a compare-and-swap, so the job is idempotent."""
    count = 0
    for due in ReportDue.objects.filter(
        status=ReportStatus.DUE, missing_at__lte=now, due_pending=False
    ).select_related("unit"):
        try:
            engine.transition(due, "mark_missing", actor=SYSTEM)
        except ConcurrentChange:
            continue  # filed or marked meanwhile: the other write stands
        count += 1
    return count


def run_ledger_tick(now: datetime | None = None) -> dict[str, int]:
    """The periodic job: reminders, then 漏报 marking. Safe to run any number of times."""
    now = now or timezone.now()
    recomputed = 0
    cal = legal_calendar()
    # Only once a year some pending due waits for is entered (else a pass would be wasted).
    if ReportDue.objects.filter(due_pending=True, due_at__year__in=cal.covered_years).exists():
        recomputed = recompute_pending_report_dues(cal)
    return {
        "recomputed": recomputed,
        "reminders": queue_reminders(now),
        "missing": mark_missing(now),
    }
