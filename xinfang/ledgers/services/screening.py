"""Writes to the dispute-screening ledger, and the reads other apps call (倒查)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from rapidfuzz import fuzz

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.calendar import LegalCalendar, legal_calendar
from xinfang.core.errors import CalendarNotCovered, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.ledgers import schedule
from xinfang.ledgers.choices import (
    Cadence,
    DisputeDomain,
    DisputeSource,
    DisputeStatus,
    RoundKind,
)
from xinfang.ledgers.models import Dispute, ScreeningRound, ScreeningRule, SensitivePeriod
from xinfang.ledgers.services._common import check
from xinfang.org.models import Unit

RESOLUTION_TARGET = 80.0  # percent; "化解率不低于80%"


def _half_month_label(start: date, end: date) -> str:
    """上半月 is the 1st to the 15th, 下半月 the 16th to the month's end; a round that covers
    only part of its half (a rule starting mid-period) also names its days."""
    half = "上" if start.day <= 15 else "下"
    label = f"{start:%Y年%m月}{half}半月"
    month_end = calendar.monthrange(start.year, start.month)[1]
    whole = end.month == start.month and (start.day, end.day) in ((1, 15), (16, month_end))
    return label if whole else f"{label}（{start:%m月%d日}—{end:%m月%d日}）"


def _round_title(kind: str, cadence: str, start: date, end: date, extra: str = "") -> str:
    if kind == RoundKind.HOLIDAY:
        return f"{extra}前矛盾纠纷排查"
    if kind == RoundKind.SPECIAL:
        return f"{extra}专项排查"
    labels: dict[str, str] = {
        Cadence.WEEKLY: f"{start:%m月%d日}当周",
        Cadence.HALF_MONTHLY: _half_month_label(start, end),
        Cadence.MONTHLY: f"{start:%Y年%m月}",
    }
    label = labels.get(cadence, f"{start}—{end}")
    return f"{label}定期排查"


@transaction.atomic
def create_screening_rule(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    starts_on: date,
    ends_on: date,
    cadence: str = "",
    domain: str = "",
    campaign: Any = None,
) -> ScreeningRule:
    """Record a screening rule and generate its rounds at once (see :func:`schedule_rounds`)."""
    check(actor, "lead", unit)
    if ends_on < starts_on:
        raise TransitionNotAllowed("截止日期不能早于起始日期")
    if kind == RoundKind.REGULAR and not cadence:
        cadence = schedule.default_screening_cadence(unit.level, in_campaign=campaign is not None)
    rule = ScreeningRule.objects.create(
        unit=unit,
        kind=kind,
        cadence=cadence,
        domain=domain,
        starts_on=starts_on,
        ends_on=ends_on,
        campaign=campaign,
        created_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rule, after=snapshot(rule))
    schedule_rounds(actor=actor, rule=rule)
    return rule


def _due(
    compute: Callable[[date, LegalCalendar], date],
    day: date,
    cal: LegalCalendar,
    *,
    provisional: date,
) -> dict[str, Any]:
    """A round's due date, or ``provisional`` marked pending when its year is not entered."""
    try:
        return {"due_date": compute(day, cal), "due_pending": False}
    except CalendarNotCovered:
        return {"due_date": provisional, "due_pending": True}


def recompute_pending_rounds(calendar: LegalCalendar | None = None) -> int:
    """Fill in round due dates that waited for a year's holiday schedule; rows changed."""
    cal = calendar or legal_calendar()
    changed = 0
    pending = ScreeningRound.objects.filter(due_pending=True, rule__isnull=False)
    rules = ScreeningRule.objects.filter(pk__in=pending.values("rule_id")).select_related("unit")
    for rule in rules:
        sensitive = SensitivePeriod.objects.filter(unit_id__in=rule.unit.ancestor_ids())
        planned = {
            (spec["kind"], spec["domain"], spec["period_start"], spec["period_end"]): spec
            for spec in planned_rounds(rule, cal, sensitive)
        }
        for rnd in pending.filter(rule=rule):
            spec = planned.get((rnd.kind, rnd.domain, rnd.period_start, rnd.period_end))
            if spec is None or spec["due_pending"]:
                continue
            changed += ScreeningRound.objects.filter(pk=rnd.pk, due_pending=True).update(
                due_date=spec["due_date"], due_pending=False
            )
    return changed


def planned_rounds(
    rule: ScreeningRule, cal: LegalCalendar, sensitive: Iterable[SensitivePeriod] = ()
) -> list[dict[str, Any]]:
    """The rounds a rule asks for (plain dicts; no writes)."""
    out: list[dict[str, Any]] = []
    if rule.kind == RoundKind.REGULAR:
        for start, end in schedule.periods(rule.cadence, rule.starts_on, rule.ends_on):
            out.append(
                {
                    "kind": rule.kind,
                    "domain": "",
                    "title": _round_title(rule.kind, rule.cadence, start, end),
                    "period_start": start,
                    "period_end": end,
                    **_due(schedule.screening_due, end, cal, provisional=end),
                }
            )
    elif rule.kind == RoundKind.HOLIDAY:
        windows = [
            (w.name, w.first_day, w.last_day)
            for w in schedule.holiday_windows(cal, rule.starts_on, rule.ends_on)
        ] + [
            (p.name, p.starts_on, p.ends_on)
            for p in sensitive
            if rule.starts_on <= p.starts_on <= rule.ends_on
        ]
        for name, first, last in windows:
            out.append(
                {
                    "kind": rule.kind,
                    "domain": "",
                    "title": _round_title(rule.kind, "", first, last, name),
                    "period_start": first,
                    "period_end": last,
                    **_due(
                        schedule.pre_period_due, first, cal, provisional=first - timedelta(days=1)
                    ),
                }
            )
    else:
        label = DisputeDomain(rule.domain).label if rule.domain else ""
        out.append(
            {
                "kind": rule.kind,
                "domain": rule.domain,
                "title": _round_title(rule.kind, "", rule.starts_on, rule.ends_on, str(label)),
                "period_start": rule.starts_on,
                "period_end": rule.ends_on,
                **_due(schedule.screening_due, rule.ends_on, cal, provisional=rule.ends_on),
            }
        )
    return out


@transaction.atomic
def schedule_rounds(*, actor: Any, rule: ScreeningRule) -> list[ScreeningRound]:
    """Create the rule's rounds that do not exist yet (idempotent: unique per period)."""
    cal = legal_calendar()
    ancestors = rule.unit.ancestor_ids()
    sensitive = SensitivePeriod.objects.filter(unit_id__in=ancestors)
    created: list[ScreeningRound] = []
    for spec in planned_rounds(rule, cal, sensitive):
        exists = ScreeningRound.objects.filter(
            unit=rule.unit,
            kind=spec["kind"],
            domain=spec["domain"],
            period_start=spec["period_start"],
            period_end=spec["period_end"],
        ).exists()
        if exists:
            continue
        try:
            with transaction.atomic():
                created.append(
                    ScreeningRound.objects.create(
                        unit=rule.unit, rule=rule, campaign=rule.campaign, **spec
                    )
                )
        except IntegrityError:  # a concurrent run created it
            continue
    if created:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=rule,
            detail={"rounds_created": [r.pk for r in created]},
        )
    return created


@transaction.atomic
def file_round(
    *, actor: Any, round: ScreeningRound, held_on: date, participants: str, summary: str
) -> ScreeningRound:
    """File a held round (late filings are accepted and stay visible as late)."""
    check(actor, "handle", round.unit)
    if held_on > timezone.localdate():
        raise TransitionNotAllowed("排查日期不能晚于今天")
    now = timezone.now()
    updated = ScreeningRound.objects.filter(pk=round.pk, filed_at__isnull=True).update(
        held_on=held_on, participants=participants, summary=summary, filed_at=now, filed_by=actor
    )
    if not updated:
        raise TransitionNotAllowed("该轮排查已报送")
    round.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.CHANGE, obj=round, after=snapshot(round))
    return round


def _assign_number(dispute: Dispute) -> None:
    dispute.number = f"MD{dispute.found_on:%Y}-{dispute.pk:06d}"
    Dispute.objects.filter(pk=dispute.pk).update(number=dispute.number)


@transaction.atomic
def register_dispute(*, actor: Any, unit: Unit, contact_phone: str = "", **fields: Any) -> Dispute:
    """Register a dispute found in a screening (or otherwise) in ``unit``'s ledger."""
    check(actor, "handle", unit)
    dispute = Dispute(unit=unit, created_by=actor, **fields)
    dispute.contact_phone = contact_phone
    if dispute.round_id and dispute.round and dispute.round.unit_id != unit.pk:
        raise TransitionNotAllowed("排查轮次不属于该单位")
    if dispute.deadline < dispute.found_on:
        raise TransitionNotAllowed("化解期限不能早于排查日期")
    dispute.full_clean(exclude=["number"])
    dispute.save()
    _assign_number(dispute)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=dispute, after=snapshot(dispute))
    return dispute


@transaction.atomic
def record_agreement(
    *,
    actor: Any,
    unit: Unit,
    petition_ref: str,
    subject: str,
    parties: str,
    agreement_text: str,
    agreed_on: date | None = None,
    domain: str = DisputeDomain.OTHER,
    place: str = "",
    responsible_person: str = "",
    lead_leader: str = "",
    risk_level: str = "low",
    petition: Any = None,
) -> Dispute:
    """A mediation or settlement agreement on a petition matter (Art. 33) lands in the ledger.

    Called by the petitions app with the matter's number (``petition_ref``) and, optionally,
    the ``Petition`` itself. The dispute is entered as resolved (the agreement is the
    resolution) and still needs a second person's verification to be closed out.
    """
    check(actor, "handle", unit)
    if petition is not None and not petition_ref:
        petition_ref = str(getattr(petition, "number", "") or petition.pk)
    agreed_on = agreed_on or timezone.localdate()
    dispute = register_dispute(
        actor=actor,
        unit=unit,
        source=DisputeSource.AGREEMENT,
        domain=domain,
        place=place or unit.name,
        subject=subject,
        parties=parties,
        risk_level=risk_level,
        found_on=agreed_on,
        deadline=agreed_on,
        responsible_person=responsible_person or str(actor or "系统"),
        lead_leader=lead_leader,
        petition_ref=petition_ref,
        petition=petition,
        agreement_text=agreement_text,
        resolution_plan="依协议履行",
    )
    from xinfang.ledgers.workflow import transition

    return transition(dispute, "resolve", actor=actor, reason=f"达成协议：{agreement_text}")


@dataclass(frozen=True)
class LookbackMatch:
    dispute: Dispute
    score: float
    reason: str


@dataclass(frozen=True)
class LookbackResult:
    """Answer of the 倒查 check: was this dispute found in a screening before the date?"""

    found: bool
    matches: list[LookbackMatch]


def was_found_in_screening(
    unit: Unit,
    subject_text: str,
    before_date: date,
    *,
    petition_ref: str = "",
    threshold: float = 60.0,
    limit: int = 10,
) -> LookbackResult:
    """倒查: when a matter escalates, had its dispute been found in a screening?

    Looks at disputes in ``unit``'s subtree (and the units above it, which may have
    screened it) found before ``before_date``: an exact ``petition_ref`` match, or a
    fuzzy match of the subject (rapidfuzz ``partial_ratio``/``token_set_ratio`` ≥
    ``threshold``). Callers scope ``unit`` themselves; this is a plain read.
    """
    from xinfang.org.querysets import subtree_q

    scope = subtree_q(unit.path, "unit__path") | Q(unit_id__in=unit.ancestor_ids())
    candidates = Dispute.objects.filter(scope, found_on__lt=before_date).select_related("unit")
    text = (subject_text or "").strip()
    matches: list[LookbackMatch] = []
    for dispute in candidates.order_by("-found_on")[:2000]:
        if petition_ref and dispute.petition_ref == petition_ref:
            matches.append(LookbackMatch(dispute, 100.0, "关联信访事项编号一致"))
            continue
        if not text:
            continue
        haystack = f"{dispute.subject} {dispute.place}"
        score = max(fuzz.partial_ratio(text, haystack), fuzz.token_set_ratio(text, haystack))
        if score >= threshold:
            matches.append(LookbackMatch(dispute, float(score), "事项内容相近"))
    matches.sort(key=lambda m: (-m.score, -m.dispute.found_on.toordinal()))
    matches = matches[:limit]
    return LookbackResult(bool(matches), matches)


@dataclass(frozen=True)
class UnitStats:
    unit_id: int
    unit_name: str
    found: int
    resolved: int
    awaiting_verification: int
    overdue: int

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.resolved / self.found, 1) if self.found else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= RESOLUTION_TARGET


def dispute_stats(disputes: Any, start: date, end: date, today: date) -> list[UnitStats]:
    """Per unit, over disputes found in ``[start, end]``: found, resolved (closed out after
    verification), awaiting verification, overdue (open past their deadline on ``today``),
    and the resolution rate (target ≥ 80%). One grouped query."""
    rows = (
        disputes.filter(found_on__gte=start, found_on__lte=end)
        .values("unit_id", "unit__name", "unit__path")
        .annotate(
            found=Count("pk"),
            resolved=Count("pk", filter=Q(status=DisputeStatus.CLOSED)),
            waiting=Count("pk", filter=Q(status=DisputeStatus.RESOLVED)),
            overdue=Count(
                "pk",
                filter=Q(
                    status__in=[DisputeStatus.REGISTERED, DisputeStatus.IN_PROGRESS],
                    deadline__lt=today,
                ),
            ),
        )
        .order_by("unit__path")
    )
    return [
        UnitStats(
            r["unit_id"], r["unit__name"], r["found"], r["resolved"], r["waiting"], r["overdue"]
        )
        for r in rows
    ]
