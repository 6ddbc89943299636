"""Service measures of a unit (its subtree) over a period (domain.md §4, issue 3 item 10).

The arithmetic is pure (:class:`Ratio`, :func:`percent`, :func:`fact_rows`); the counting is
pushed into the database, one aggregate query per measure. A matter belongs to the unit
whose subtree contains its ``responsible_unit`` (the body that decides, handles and answers).

Definitions (period ``P = [start, end]``, ``as_of = min(end, today)``):

* **timely acceptance rate** (及时受理率, Arts. 22–23): decisions in ``P`` — accepted
  (``accepted_on`` ∈ P) or not accepted (status ``not_accepted``, ``closed_on`` ∈ P) — made
  on or before ``notice_due``, over all decisions in ``P``. Decisions whose notice due date
  waits for the holiday calendar (``notice_due`` pending) count as timely when made on or
  before the earliest day that due date can be; later ones are counted as *pending* (shown
  apart, left out of the rate) until the year's schedule is entered.
* **on-time completion rate** (按期办结率, Art. 34): matters answered in ``P`` on or before
  ``handle_due`` (which includes an approved extension), over matters answered in ``P`` plus
  matters whose ``handle_due`` fell in ``P`` (before ``as_of``) and were not answered by the
  end of ``P``. A pending ``handle_due`` is treated like a pending ``notice_due`` above; an
  unanswered matter whose due date is pending is never counted late.
* **satisfaction rate** (群众满意率, Art. 21): matters rated in ``P`` whose latest rating in
  ``P`` is 满意 or 基本满意, over all matters rated in ``P``.
* **backlog** (积案): matters still waiting for an office's action (registered … in
  handling, review / re-review requested) whose running period ended before ``as_of``; by
  age since receipt, with the ≥ 5 and ≥ 10 year bands the rulebooks use; and backlog matters
  resolved in ``P`` (closed in ``P`` after having been overdue) in the same bands.
* **repeat** (重复信访): matters received in ``P`` that joined a same-matter group with an
  earlier member; **escalated** (越级): matters received in ``P`` whose group (or the matter
  itself) reached a territorial level above the unit's own.

These are counts of case records per unit; no person is counted or profiled (principle 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from xinfang.core.facts import Fact, FactWindow, record_ref, unit_subject
from xinfang.org.choices import TERRITORIAL_ORDER
from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.choices import Rating, Status
from xinfang.petitions.models import Petition, ReturnVisit
from xinfang.petitions.units import territorial_level

__all__ = [
    "BACKLOG_STATUSES",
    "RATE_KEYS",
    "Backlog",
    "Ratio",
    "UnitMeasures",
    "fact_rows",
    "percent",
    "rate_facts",
    "unit_measures",
]

# The duty keys of the rate facts (docs/assessment.md, "Duty keys"); model-2022 maps them
# to 6.1–6.3, xinfang-2023 to 3.2a–c (against the average of the assessed units).
RATE_KEYS: dict[str, str] = {
    "petitions.rate.timely_acceptance": "及时受理率(百分数)",
    "petitions.rate.on_time_completion": "按期办结率(百分数)",
    "petitions.rate.satisfaction": "群众满意率(百分数)",
}
_SOURCE = "petitions.measures"

# Waiting for an office's action: the statuses with a running legal period.
BACKLOG_STATUSES = (
    Status.REGISTERED,
    Status.ROUTED,
    Status.OBJECTED,
    Status.ACCEPTED,
    Status.IN_HANDLING,
    Status.REVIEW_REQUESTED,
    Status.REREVIEW_REQUESTED,
)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
_RANK = {str(level): i for i, level in enumerate(TERRITORIAL_ORDER)}


def percent(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` as a percentage with two decimals; ``None`` for 0/0."""
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 2)


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int
    # Cases left out of both because their due date waits for a year's holiday schedule
    # and the act came after the earliest day it can be (see ``_classify_pending``).
    pending: int = 0

    @property
    def percent(self) -> float | None:
        return percent(self.numerator, self.denominator)


@dataclass(frozen=True)
class Backlog:
    total: int = 0
    over_5y: int = 0
    over_10y: int = 0


@dataclass(frozen=True)
class UnitMeasures:
    unit_id: int
    unit_name: str
    subject: str
    start: date
    end: date
    timely_acceptance: Ratio
    on_time_completion: Ratio
    satisfaction: Ratio
    backlog: Backlog
    backlog_resolved: Backlog
    repeat: int
    escalated: int
    extra: dict[str, Any] = field(default_factory=dict)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _level_rank_case(field_name: str) -> DbCase:
    return DbCase(
        *[When(**{field_name: level}, then=Value(rank)) for level, rank in _RANK.items()],
        default=Value(99),
        output_field=IntegerField(),
    )


def _with_pending(ratio: Ratio, acts: Iterable[tuple[date | None, str | None]]) -> Ratio:
    """Add the acts whose due date is pending: (day of the act, earliest due as ISO text).

    An act on or before the earliest day its due date can be is on time whatever the year's
    schedule turns out to be; a later one cannot be judged yet and is counted as pending.
    """
    numerator, denominator, pending = ratio.numerator, ratio.denominator, ratio.pending
    for done, not_before in acts:
        if done is not None and not_before and done <= date.fromisoformat(not_before):
            numerator += 1
            denominator += 1
        else:
            pending += 1
    return Ratio(numerator, denominator, pending)


def unit_measures(unit: Unit, start: date, end: date, *, today: date | None = None) -> UnitMeasures:
    """Every measure of ``unit``'s subtree over ``[start, end]`` (about seven queries)."""
    today = today or timezone.localdate()
    as_of = min(end, today)
    matters = Petition.objects.filter(subtree_q(unit.path, "responsible_unit__path"))

    # Timely acceptance: one aggregate over decisions in the period.
    decided = Q(accepted_on__range=(start, end)) | Q(
        status=Status.NOT_ACCEPTED, closed_on__range=(start, end), accepted_on__isnull=True
    )
    decisions = matters.filter(decided, notice_due__isnull=False).aggregate(
        total=Count("pk"),
        timely=Count(
            "pk",
            filter=Q(accepted_on__isnull=False, accepted_on__lte=F("notice_due"))
            | Q(accepted_on__isnull=True, closed_on__lte=F("notice_due")),
        ),
    )
    pending_decisions = matters.filter(decided, notice_due__isnull=True, deadline_pending=True)
    timely = _with_pending(
        Ratio(decisions["timely"], decisions["total"]),
        (
            (row["accepted_on"] or row["closed_on"], row["provisional_dues"].get("notice_due"))
            for row in pending_decisions.values("accepted_on", "closed_on", "provisional_dues")
        ),
    )

    # On-time completion.
    answered_in = Q(answered_on__range=(start, end))
    due_unanswered = Q(handle_due__gte=start, handle_due__lte=end, handle_due__lt=as_of) & (
        Q(answered_on__isnull=True) | Q(answered_on__gt=end)
    )
    answered_pending = answered_in & Q(handle_due__isnull=True, deadline_pending=True)
    completion = (
        matters.filter(answered_in | due_unanswered)
        .exclude(answered_pending)
        .aggregate(
            total=Count("pk"),
            on_time=Count(
                "pk",
                filter=answered_in & Q(handle_due__isnull=False, answered_on__lte=F("handle_due")),
            ),
        )
    )
    on_time = _with_pending(
        Ratio(completion["on_time"], completion["total"]),
        (
            (row["answered_on"], row["provisional_dues"].get("handle_due"))
            for row in matters.filter(answered_pending).values("answered_on", "provisional_dues")
        ),
    )

    # Satisfaction: the latest rating in the period of each matter rated in the period.
    visits = ReturnVisit.objects.filter(visited_on__range=(start, end))
    latest = (
        visits.filter(petition=OuterRef("pk")).order_by("-visited_on", "-pk").values("rating")[:1]
    )
    rated = (
        matters.filter(Exists(visits.filter(petition=OuterRef("pk"))))
        .annotate(last_rating=Subquery(latest))
        .aggregate(total=Count("pk"), satisfied=Count("pk", filter=Q(last_rating__in=SATISFIED)))
    )
    satisfaction = Ratio(rated["satisfied"], rated["total"])

    # Backlog (as of the end of the period or today, whichever is earlier).
    five, ten = _years_before(as_of, 5), _years_before(as_of, 10)
    backlog_row = matters.filter(
        status__in=BACKLOG_STATUSES, next_due__isnull=False, next_due__lt=as_of
    ).aggregate(
        total=Count("pk"),
        over_5y=Count("pk", filter=Q(received_on__lte=five)),
        over_10y=Count("pk", filter=Q(received_on__lte=ten)),
    )
    resolved_row = matters.filter(
        closed_on__range=(start, end), overdue_since__isnull=False
    ).aggregate(
        total=Count("pk"),
        over_5y=Count("pk", filter=Q(received_on__lte=_years_before(end, 5))),
        over_10y=Count("pk", filter=Q(received_on__lte=_years_before(end, 10))),
    )

    # Repeat and escalation, from the same-matter groups.
    received = matters.filter(received_on__range=(start, end))
    earlier = Petition.objects.filter(group_id=OuterRef("group_id")).filter(
        Q(received_on__lt=OuterRef("received_on"))
        | Q(received_on=OuterRef("received_on"), pk__lt=OuterRef("pk"))
    )
    repeat = received.filter(group__isnull=False).filter(Exists(earlier)).count()
    level = territorial_level(unit)
    escalated = 0
    if level in _RANK:
        rank = _RANK[level]
        above = Petition.objects.annotate(r=_level_rank_case("level_reached")).filter(r__lt=rank)
        escalated = (
            received.annotate(r=_level_rank_case("level_reached"))
            .filter(Q(r__lt=rank) | Q(group__isnull=False, group__in=above.values("group_id")))
            .count()
        )

    return UnitMeasures(
        unit_id=unit.pk,
        unit_name=unit.name,
        subject=unit_subject(unit),
        start=start,
        end=end,
        timely_acceptance=timely,
        on_time_completion=on_time,
        satisfaction=satisfaction,
        backlog=Backlog(**backlog_row),
        backlog_resolved=Backlog(**resolved_row),
        repeat=repeat,
        escalated=escalated,
    )


def fact_rows(measures: Iterable[UnitMeasures]) -> list[Fact]:
    """Facts for the assessment engine: one rate fact per unit and rate with a denominator.

    A rate with nothing to measure (0/0) produces no fact: the rulebook then neither deducts
    nor credits, rather than scoring an empty period as 0 %.
    """
    rows: list[Fact] = []
    for m in measures:
        for key, ratio, label in (
            ("petitions.rate.timely_acceptance", m.timely_acceptance, "按期告知受理"),
            ("petitions.rate.on_time_completion", m.on_time_completion, "按期办结"),
            ("petitions.rate.satisfaction", m.satisfaction, "满意及基本满意"),
        ):
            if ratio.percent is None:
                continue
            rows.append(
                Fact(
                    subject=m.subject,
                    key=key,
                    date=m.end,
                    quantity=None,
                    value=ratio.percent,
                    note=(
                        f"{m.unit_name} {m.start:%Y-%m-%d}至{m.end:%Y-%m-%d} "
                        f"{label} {ratio.numerator}/{ratio.denominator}"
                        + (f",另有{ratio.pending}件期限待定未计入" if ratio.pending else "")
                    ),
                    evidence=record_ref("org.Unit", m.unit_id),
                    source=_SOURCE,
                )
            )
    return rows


def rate_facts(w: FactWindow, subjects: Sequence[Unit]) -> list[Fact]:
    """The registered provider: the three rates of each subject over the window (its
    subtree, about seven queries a subject), dated the end of the period."""
    return fact_rows(unit_measures(u, w.start, w.end, today=w.as_of) for u in subjects)
