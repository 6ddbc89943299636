"""Writes of the trips app: each ``verb_noun(*, actor, …)`` is atomic and audited.

Status changes go through :mod:`xinfang.trips.workflow` (the core engine); this module
records requests and their members, the office's rule settings, exceptions, plans, the
due dates after return and the reminders (through the outbox).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from xinfang.core import audit, outbox
from xinfang.core.calendar import LegalCalendar
from xinfang.core.models import AuditAction
from xinfang.org.access import can
from xinfang.org.models import Unit
from xinfang.trips.approval import approving_level, approving_unit_path
from xinfang.trips.choices import TripStatus
from xinfang.trips.clock import passport_due, report_due
from xinfang.trips.errors import ExceptionRefused, TripInvalid
from xinfang.trips.models import (
    PlanItem,
    TripException,
    TripMember,
    TripPlan,
    TripRequest,
    TripRule,
)
from xinfang.trips.rules import (
    DEFAULT_RULES,
    MemberFacts,
    OtherTrip,
    RuleValue,
    TripFacts,
    Violation,
    check,
    plan_is_late,
)

__all__ = [
    "REMIND_DAYS_BEFORE",
    "MemberInput",
    "TripInput",
    "create_trip",
    "dues_after_return",
    "effective_rules",
    "file_plan",
    "grant_exception",
    "open_violations",
    "recompute_pending_trip_dues",
    "remind_trip_dues",
    "set_rule",
    "update_trip",
    "violation_rows",
    "violations_of",
]

# A reminder goes out this many days before a due date, and again once it has passed.
REMIND_DAYS_BEFORE = 5


@dataclass(frozen=True)
class MemberInput:
    name: str
    rank: str
    unit: Unit
    title: str = ""


@dataclass(frozen=True)
class TripInput:
    title: str
    purpose: str
    trip_type: str
    countries: tuple[str, ...]
    depart_on: date
    return_on: date
    visa_apply_on: date
    plan_item: PlanItem | None = None


# ---------------------------------------------------------------------------------------
# Rules


def effective_rules(unit: Unit) -> dict[str, RuleValue]:
    """The rules that apply to requests of ``unit``: the defaults, overridden by the setting
    of the nearest unit above it (itself included) that set one."""
    ancestors = [int(p) for p in unit.path.strip("/").split("/") if p]
    depth = {pk: i for i, pk in enumerate(ancestors)}
    rows = sorted(TripRule.objects.filter(unit_id__in=ancestors), key=lambda r: depth[r.unit_id])
    rules = dict(DEFAULT_RULES)
    for row in rows:
        base = DEFAULT_RULES[row.code]
        rules[row.code] = RuleValue(row.code, base.label, row.value, row.source, row.enabled)
    return rules


@transaction.atomic
def set_rule(
    *, actor: Any, unit: Unit, code: str, value: int, enabled: bool, note: str = ""
) -> TripRule:
    """An office adjusts one rule for its subtree (its leaders: ``lead`` over ``unit``)."""
    if code not in DEFAULT_RULES:
        raise TripInvalid("未知的出访规则")
    if not can(actor, "lead", unit.path):
        raise ExceptionRefused("只有本级单位负责人可以调整本级出访规则")
    if value < 0:
        raise TripInvalid("限值不能为负数")
    before = TripRule.objects.filter(unit=unit, code=code).values("value", "enabled").first()
    rule, _created = TripRule.objects.update_or_create(
        unit=unit,
        code=code,
        defaults={
            "value": value,
            "enabled": enabled,
            "note": note,
            "source": DEFAULT_RULES[code].source,
        },
    )
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=rule,
        before=before or {},
        after={"value": value, "enabled": enabled, "note": note},
    )
    return rule


# ---------------------------------------------------------------------------------------
# Checking a request


def _member_facts(members: Iterable[TripMember]) -> tuple[MemberFacts, ...]:
    return tuple(MemberFacts(m.name, m.unit_id, m.unit.name, m.rank) for m in members)


def _others(trip: TripRequest, unit_ids: set[int]) -> list[OtherTrip]:
    rows = (
        TripRequest.objects.active()
        .exclude(pk=trip.pk)
        .filter(members__unit_id__in=unit_ids)
        .distinct()
        .prefetch_related("members__unit")
    )
    return [
        OtherTrip(o.title, o.depart_on, o.return_on, _member_facts(o.members.all())) for o in rows
    ]


def violations_of(trip: TripRequest, filed_on: date) -> list[Violation]:
    """Every rule ``trip`` breaks when filed on ``filed_on``."""
    members = list(trip.members.select_related("unit"))
    facts = TripFacts(
        trip_type=trip.trip_type,
        countries=tuple(trip.countries),
        depart_on=trip.depart_on,
        return_on=trip.return_on,
        visa_apply_on=trip.visa_apply_on,
        members=_member_facts(members),
        in_plan=trip.plan_item_id is not None,
    )
    others = _others(trip, {m.unit_id for m in members})
    return check(facts, effective_rules(trip.unit), others, filed_on)


def open_violations(trip: TripRequest, violations: Sequence[Violation]) -> list[Violation]:
    """The violations no exception of the approving level covers."""
    excepted = set(trip.exceptions.values_list("code", flat=True))
    return [v for v in violations if v.code not in excepted]


def violation_rows(violations: Sequence[Violation]) -> list[dict[str, str]]:
    return [asdict(v) for v in violations]


# ---------------------------------------------------------------------------------------
# Requests


def _approving_unit(unit: Unit, members: Sequence[MemberInput]) -> Unit:
    level = approving_level(m.rank for m in members).level
    chain = list(Unit.objects.filter(pk__in=_ancestor_ids(unit)).order_by("depth"))
    path = approving_unit_path(level, [(u.level, u.path) for u in chain])
    return next(u for u in chain if u.path == path)


def _ancestor_ids(unit: Unit) -> list[int]:
    return [int(p) for p in unit.path.strip("/").split("/") if p]


def _validate(unit: Unit, data: TripInput, members: Sequence[MemberInput]) -> None:
    if not members:
        raise TripInvalid("团组至少须有一名成员")
    if not data.countries:
        raise TripInvalid("请填写出访国家（地区）")
    if data.return_on < data.depart_on:
        raise TripInvalid("入境日期不能早于出境日期")
    if data.visa_apply_on > data.depart_on:
        raise TripInvalid("办理护照签证日期不能晚于出境日期")
    if data.plan_item is not None and data.plan_item.plan.unit_id != unit.pk:
        raise TripInvalid("所列计划须为本单位的年度出访计划")


def _write_members(trip: TripRequest, members: Sequence[MemberInput]) -> None:
    trip.members.all().delete()
    TripMember.objects.bulk_create(
        [
            TripMember(trip=trip, name=m.name.strip(), rank=m.rank, unit=m.unit, title=m.title)
            for m in members
        ]
    )


def _snapshot(trip: TripRequest) -> dict[str, Any]:
    return {
        "title": trip.title,
        "trip_type": trip.trip_type,
        "countries": list(trip.countries),
        "depart_on": trip.depart_on.isoformat(),
        "return_on": trip.return_on.isoformat(),
        "visa_apply_on": trip.visa_apply_on.isoformat(),
        "members": [f"{m.name}/{m.rank}/{m.unit_id}" for m in trip.members.all()],
        "approving_unit": trip.approving_unit_id,
    }


@transaction.atomic
def create_trip(
    *, actor: Any, unit: Unit, data: TripInput, members: Sequence[MemberInput]
) -> TripRequest:
    """Record a draft request of ``unit`` (``handle`` over it), routed to the approving level
    named by the rank of its most senior member."""
    if not can(actor, "handle", unit.path):
        raise TripInvalid("您不能为该单位填报出访请示")
    _validate(unit, data, members)
    trip = TripRequest.objects.create(
        unit=unit,
        approving_unit=_approving_unit(unit, members),
        title=data.title,
        purpose=data.purpose,
        trip_type=data.trip_type,
        countries=list(data.countries),
        depart_on=data.depart_on,
        return_on=data.return_on,
        visa_apply_on=data.visa_apply_on,
        plan_item=data.plan_item,
    )
    _write_members(trip, members)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=trip, after=_snapshot(trip))
    return trip


@transaction.atomic
def update_trip(
    *, actor: Any, trip: TripRequest, data: TripInput, members: Sequence[MemberInput]
) -> TripRequest:
    """Change a draft (``handle`` over its unit); the approving level follows the members."""
    if not can(actor, "handle", trip.unit.path):
        raise TripInvalid("您不能修改该出访请示")
    if trip.status != TripStatus.DRAFT:
        raise TripInvalid("只有草拟中的出访请示可以修改")
    _validate(trip.unit, data, members)
    before = _snapshot(trip)
    fields = {
        "title": data.title,
        "purpose": data.purpose,
        "trip_type": data.trip_type,
        "countries": list(data.countries),
        "depart_on": data.depart_on,
        "return_on": data.return_on,
        "visa_apply_on": data.visa_apply_on,
        "plan_item": data.plan_item,
        "approving_unit": _approving_unit(trip.unit, members),
    }
    for key, value in fields.items():
        setattr(trip, key, value)
    trip.save(update_fields=list(fields))
    _write_members(trip, members)
    audit.record(
        actor=actor, action=AuditAction.CHANGE, obj=trip, before=before, after=_snapshot(trip)
    )
    return trip


@transaction.atomic
def grant_exception(*, actor: Any, trip: TripRequest, code: str, reason: str) -> TripException:
    """The approving level (``lead`` over it) lets ``trip`` go on despite rule ``code``,
    with its reason on record."""
    if not can(actor, "lead", trip.approving_unit.path):
        raise ExceptionRefused(f"规则例外须由审批层级（{trip.approving_unit}）同意")
    reason = reason.strip()
    if not reason:
        raise ExceptionRefused("同意例外须写明理由")
    if code not in DEFAULT_RULES:
        raise TripInvalid("未知的出访规则")
    if trip.status not in {TripStatus.DRAFT, TripStatus.SUBMITTED}:
        raise TripInvalid("该出访请示已办结，不能再同意例外")
    exception, _created = TripException.objects.update_or_create(
        trip=trip, code=code, defaults={"reason": reason, "granted_by": actor}
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=exception,
        after={"trip": trip.pk, "code": code, "reason": reason},
    )
    return exception


# ---------------------------------------------------------------------------------------
# Plans


@transaction.atomic
def file_plan(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    items: Sequence[Mapping[str, Any]],
    today: date,
) -> TripPlan:
    """File ``unit``'s plan of trips for ``year`` (due in early November of the year before,
    第(二)条; a later plan is recorded and flagged)."""
    if not can(actor, "handle", unit.path):
        raise TripInvalid("您不能为该单位报送出访计划")
    if TripPlan.objects.filter(unit=unit, year=year).exists():
        raise TripInvalid(f"{unit}{year}年出访计划已报送")
    if not items:
        raise TripInvalid("出访计划至少须列一个团组")
    late = plan_is_late(year, today, effective_rules(unit))
    plan = TripPlan.objects.create(unit=unit, year=year, filed_on=today, is_late=late)
    PlanItem.objects.bulk_create([PlanItem(plan=plan, **item) for item in items])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        after={"year": year, "items": len(items), "late": late},
    )
    return plan


# ---------------------------------------------------------------------------------------
# Dues after return


def dues_after_return(returned_on: date, calendar: LegalCalendar) -> dict[str, Any]:
    """The fields of both dues for a trip back on ``returned_on``."""
    report, passport = report_due(returned_on, calendar), passport_due(returned_on, calendar)
    return {
        "report_due": report.on,
        "report_due_not_before": report.not_before,
        "passport_due": passport.on,
        "passport_due_not_before": passport.not_before,
    }


def recompute_pending_trip_dues(calendar: LegalCalendar) -> int:
    """Fill in the dues left pending for want of a year's holiday schedule."""
    changed = 0
    rows = TripRequest.objects.filter(returned_on__isnull=False).filter(
        report_due__isnull=True
    ) | TripRequest.objects.filter(returned_on__isnull=False, passport_due__isnull=True)
    for trip in rows:
        dues = dues_after_return(trip.returned_on, calendar)
        if dues["report_due"] is None and dues["passport_due"] is None:
            continue
        changed += TripRequest.objects.filter(pk=trip.pk).update(**dues)
    return changed


def _remind(trip: TripRequest, what: str, due: date, today: date) -> int:
    label = {"report": "出访报告", "passport": "因公护照（通行证）交回"}[what]
    if today > due:
        stage, text = "overdue", f"“{trip.title}”{label}已逾期（期限 {due.isoformat()}），请即办理"
    elif today >= due - timedelta(days=REMIND_DAYS_BEFORE):
        stage, text = "soon", f"“{trip.title}”{label}将于 {due.isoformat()} 到期，请按时办理"
    else:
        return 0
    message = outbox.queue(
        key=f"trips:{trip.pk}:{what}:{stage}",
        kind="trip_due",
        text=text,
        unit_id=trip.unit_id,
        link=f"/trips/{trip.pk}/",
        subject=label,
        due=due,
    )
    return int(message is not None)


def remind_trip_dues(today: date) -> int:
    """Queue the reminders of reports and passports owed (once per due and stage: the
    outbox's idempotency key); returns how many were queued."""
    queued = 0
    for trip in TripRequest.objects.dues_open():
        if trip.report_due and not trip.report_filed_on:
            queued += _remind(trip, "report", trip.report_due, today)
        if trip.passport_due and not trip.passport_returned_on:
            queued += _remind(trip, "passport", trip.passport_due, today)
    return queued
