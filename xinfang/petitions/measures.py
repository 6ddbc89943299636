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

* **suggestions** (建议意见类, Art. 29): suggestions answered in ``P`` by what became of
  them — adopted, partly adopted, not adopted (:func:`suggestion_outcomes`, for the annual
  report).

These are counts of case records per unit; no person is counted or profiled (principle 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from xinfang.core.facts import Fact, FactWindow, record_ref, unit_subject
from xinfang.org.choices import TERRITORIAL_ORDER
from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.choices import Kind, Rating, Stage, Status, SuggestionOutcome
from xinfang.petitions.models import Answer, Petition, ReturnVisit
from xinfang.petitions.units import territorial_level

__all__ = [
    "BACKLOG_STATUSES",
    "FIGURES",
    "RATE_KEYS",
    "Backlog",
    "Counts",
    "MeasureWindow",
    "Ratio",
    "UnitMeasures",
    "count_measures",
    "fact_rows",
    "figure_matters",
    "level_rank",
    "percent",
    "rate_facts",
    "suggestion_outcomes",
    "unit_measures",
]

# The duty keys of the rate facts (docs/assessment.md, "Duty keys"); model-2022 maps them
# to 6.1–6.3, xinfang-2023 to 3.2a–c (against the average of the assessed units).
RATE_KEYS: dict[str, str] = {
    "petitions.rate.timely_acceptance": "及时受理率（百分数）",
    "petitions.rate.on_time_completion": "按期办结率（百分数）",
    "petitions.rate.satisfaction": "群众满意率（百分数）",
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


@dataclass(frozen=True)
class MeasureWindow:
    """A period ``[start, end]`` measured as of ``as_of = min(end, today)``."""

    start: date
    end: date
    as_of: date

    @classmethod
    def of(cls, start: date, end: date, *, today: date | None = None) -> MeasureWindow:
        return cls(start, end, min(end, today or timezone.localdate()))


@dataclass(frozen=True)
class Counts:
    """The measures of one group of matters (a unit's own, or a subtree's).

    Every field adds up over disjoint groups (each matter has one responsible unit), so a
    subtree's counts are the sum of its units' counts. Escalation is kept per territorial
    level reached (rank in ``TERRITORIAL_ORDER``, 99 for none): "above the unit's own level"
    depends on the unit asking, so :meth:`escalated_above` picks the ranks.
    """

    timely_acceptance: Ratio = Ratio(0, 0)
    on_time_completion: Ratio = Ratio(0, 0)
    satisfaction: Ratio = Ratio(0, 0)
    backlog: Backlog = Backlog()
    backlog_resolved: Backlog = Backlog()
    repeat: int = 0
    reached: dict[int, int] = field(default_factory=dict)

    def escalated_above(self, rank: int | None) -> int:
        if rank is None:
            return 0
        return sum(n for r, n in self.reached.items() if r < rank)

    def __add__(self, other: Counts) -> Counts:
        reached = dict(self.reached)
        for r, n in other.reached.items():
            reached[r] = reached.get(r, 0) + n
        return Counts(
            timely_acceptance=_add_ratio(self.timely_acceptance, other.timely_acceptance),
            on_time_completion=_add_ratio(self.on_time_completion, other.on_time_completion),
            satisfaction=_add_ratio(self.satisfaction, other.satisfaction),
            backlog=_add_backlog(self.backlog, other.backlog),
            backlog_resolved=_add_backlog(self.backlog_resolved, other.backlog_resolved),
            repeat=self.repeat + other.repeat,
            reached=reached,
        )


def _add_ratio(a: Ratio, b: Ratio) -> Ratio:
    return Ratio(a.numerator + b.numerator, a.denominator + b.denominator, a.pending + b.pending)


def _add_backlog(a: Backlog, b: Backlog) -> Backlog:
    return Backlog(a.total + b.total, a.over_5y + b.over_5y, a.over_10y + b.over_10y)


# The populations behind each measure, as filters on matters: the counts below and the
# drill-down lists (:func:`figure_matters`) read the same definitions.


def _decided(w: MeasureWindow) -> Q:
    return Q(accepted_on__range=(w.start, w.end)) | Q(
        status=Status.NOT_ACCEPTED, closed_on__range=(w.start, w.end), accepted_on__isnull=True
    )


_TIMELY = Q(accepted_on__isnull=False, accepted_on__lte=F("notice_due")) | Q(
    accepted_on__isnull=True, closed_on__lte=F("notice_due")
)


def _answered_in(w: MeasureWindow) -> Q:
    return Q(answered_on__range=(w.start, w.end))


def _answered_pending(w: MeasureWindow) -> Q:
    return _answered_in(w) & Q(handle_due__isnull=True, deadline_pending=True)


def _completion_known(w: MeasureWindow) -> Q:
    due_unanswered = Q(handle_due__gte=w.start, handle_due__lte=w.end, handle_due__lt=w.as_of) & (
        Q(answered_on__isnull=True) | Q(answered_on__gt=w.end)
    )
    return (_answered_in(w) | due_unanswered) & ~_answered_pending(w)


def _on_time(w: MeasureWindow) -> Q:
    return _answered_in(w) & Q(handle_due__isnull=False, answered_on__lte=F("handle_due"))


def _visits(w: MeasureWindow) -> Any:
    return ReturnVisit.objects.filter(visited_on__range=(w.start, w.end))


def _rated(w: MeasureWindow) -> Q:
    return Q(Exists(_visits(w).filter(petition=OuterRef("pk"))))


def _with_last_rating(matters: Any, w: MeasureWindow) -> Any:
    latest = (
        _visits(w).filter(petition=OuterRef("pk")).order_by("-visited_on", "-pk").values("rating")
    )
    return matters.annotate(last_rating=Subquery(latest[:1]))


def _backlog(w: MeasureWindow) -> Q:
    return Q(status__in=BACKLOG_STATUSES, next_due__isnull=False, next_due__lt=w.as_of)


def _resolved(w: MeasureWindow) -> Q:
    return Q(closed_on__range=(w.start, w.end), overdue_since__isnull=False)


def _bands(day: date) -> dict[str, Q]:
    return {
        "over_5y": Q(received_on__lte=_years_before(day, 5)),
        "over_10y": Q(received_on__lte=_years_before(day, 10)),
    }


def _received(w: MeasureWindow) -> Q:
    return Q(received_on__range=(w.start, w.end))


def _repeat() -> Q:
    earlier = Petition.objects.filter(group_id=OuterRef("group_id")).filter(
        Q(received_on__lt=OuterRef("received_on"))
        | Q(received_on=OuterRef("received_on"), pk__lt=OuterRef("pk"))
    )
    return Q(group__isnull=False) & Q(Exists(earlier))


def _with_reached_rank(matters: Any) -> Any:
    """Annotate ``reached_rank``: the highest level (lowest rank) the matter or its
    same-matter group reached (99: none recorded)."""
    group_rank = (
        Petition.objects.filter(group_id=OuterRef("group_id"))
        .annotate(r=_level_rank_case("level_reached"))
        .order_by("r")
        .values("r")[:1]
    )
    return matters.annotate(
        own_rank=_level_rank_case("level_reached"),
        reached_rank=Least(
            F("own_rank"), Coalesce(Subquery(group_rank), Value(99)), output_field=IntegerField()
        ),
    )


def level_rank(unit: Unit) -> int | None:
    """The rank of the unit's territorial level (0 province … ), ``None`` when it has none."""
    return _RANK.get(territorial_level(unit))


def _grouped(matters: Any, by: str | None, **aggregates: Any) -> dict[Any, dict[str, Any]]:
    if by is None:
        return {None: matters.aggregate(**aggregates)}
    rows = matters.order_by().values(by).annotate(**aggregates)
    return {row[by]: row for row in rows}


def _pending_acts(
    rows: Iterable[dict[str, Any]], by: str | None, done: str, column: str
) -> dict[Any, list[tuple[date | None, str | None]]]:
    acts: dict[Any, list[tuple[date | None, str | None]]] = {}
    for row in rows:
        day = row[done] if done != "decision" else (row["accepted_on"] or row["closed_on"])
        key = row[by] if by else None
        acts.setdefault(key, []).append((day, row["provisional_dues"].get(column)))
    return acts


def count_measures(matters: Any, w: MeasureWindow, *, by: str | None = None) -> dict[Any, Counts]:
    """The measures of ``matters`` over ``w``, grouped by the column ``by`` (e.g.
    ``"responsible_unit_id"``) or, with ``by=None``, as one group keyed ``None``.

    About eight queries, whatever the number of groups: the statistics count a whole
    subtree by responsible unit in one pass and add the units up.
    """
    fields = [by] if by else []
    decisions = _grouped(
        matters.filter(_decided(w), notice_due__isnull=False),
        by,
        total=Count("pk"),
        timely=Count("pk", filter=_TIMELY),
    )
    pending_decisions = _pending_acts(
        matters.filter(_decided(w), notice_due__isnull=True, deadline_pending=True).values(
            *fields, "accepted_on", "closed_on", "provisional_dues"
        ),
        by,
        "decision",
        "notice_due",
    )
    completion = _grouped(
        matters.filter(_completion_known(w)),
        by,
        total=Count("pk"),
        on_time=Count("pk", filter=_on_time(w)),
    )
    pending_answers = _pending_acts(
        matters.filter(_answered_pending(w)).values(*fields, "answered_on", "provisional_dues"),
        by,
        "answered_on",
        "handle_due",
    )
    rated = _grouped(
        _with_last_rating(matters.filter(_rated(w)), w),
        by,
        total=Count("pk"),
        satisfied=Count("pk", filter=Q(last_rating__in=SATISFIED)),
    )
    bands_now, bands_end = _bands(w.as_of), _bands(w.end)
    backlog = _grouped(
        matters.filter(_backlog(w)),
        by,
        total=Count("pk"),
        **{name: Count("pk", filter=q) for name, q in bands_now.items()},
    )
    resolved = _grouped(
        matters.filter(_resolved(w)),
        by,
        total=Count("pk"),
        **{name: Count("pk", filter=q) for name, q in bands_end.items()},
    )
    received = matters.filter(_received(w))
    repeat = _grouped(received.filter(_repeat()), by, n=Count("pk"))
    reached: dict[Any, dict[int, int]] = {}
    for row in (
        _with_reached_rank(received.filter(Q(group__isnull=False) | ~Q(level_reached="")))
        .order_by()
        .values(*fields, "reached_rank")
        .annotate(n=Count("pk"))
    ):
        if row["reached_rank"] < 99:
            reached.setdefault(row[by] if by else None, {})[row["reached_rank"]] = row["n"]

    keys = (
        set(decisions)
        | set(pending_decisions)
        | set(completion)
        | set(pending_answers)
        | set(rated)
        | set(backlog)
        | set(resolved)
        | set(repeat)
        | set(reached)
    )
    if by is None:
        keys = {None}
    out: dict[Any, Counts] = {}
    for key in keys:
        d = decisions.get(key) or {}
        c = completion.get(key) or {}
        r = rated.get(key) or {}
        out[key] = Counts(
            timely_acceptance=_with_pending(
                Ratio(d.get("timely") or 0, d.get("total") or 0), pending_decisions.get(key, ())
            ),
            on_time_completion=_with_pending(
                Ratio(c.get("on_time") or 0, c.get("total") or 0), pending_answers.get(key, ())
            ),
            satisfaction=Ratio(r.get("satisfied") or 0, r.get("total") or 0),
            backlog=_backlog_of(backlog.get(key)),
            backlog_resolved=_backlog_of(resolved.get(key)),
            repeat=(repeat.get(key) or {}).get("n") or 0,
            reached=reached.get(key, {}),
        )
    return out


def _backlog_of(row: dict[str, Any] | None) -> Backlog:
    if not row:
        return Backlog()
    return Backlog(row["total"] or 0, row["over_5y"] or 0, row["over_10y"] or 0)


# Figures a drill-down can open: each names the matters behind one number of ``Counts``.
FIGURES: dict[str, str] = {
    "timely_acceptance.denominator": "受理告知（应计）",
    "timely_acceptance.numerator": "按期告知受理",
    "timely_acceptance.pending": "受理告知期限待定",
    "on_time_completion.denominator": "办理（应计）",
    "on_time_completion.numerator": "按期办结",
    "on_time_completion.pending": "办理期限待定",
    "satisfaction.denominator": "参评事项",
    "satisfaction.numerator": "满意及基本满意",
    "backlog.total": "积案",
    "backlog.over_5y": "五年以上积案",
    "backlog.over_10y": "十年以上积案",
    "backlog_resolved.total": "化解积案",
    "backlog_resolved.over_5y": "化解五年以上积案",
    "backlog_resolved.over_10y": "化解十年以上积案",
    "repeat": "重复信访",
    "escalated": "越级信访",
}


def _split_pending(matters: Any, base: Q, done: str, column: str) -> tuple[list[int], list[int]]:
    """Pending acts of ``matters`` under ``base``: (judged on time, still pending) ids."""
    timely: list[int] = []
    waiting: list[int] = []
    for row in matters.filter(base).values(
        "pk", "accepted_on", "closed_on", "answered_on", "provisional_dues"
    ):
        day = row[done] if done != "decision" else (row["accepted_on"] or row["closed_on"])
        not_before = row["provisional_dues"].get(column)
        if day is not None and not_before and day <= date.fromisoformat(not_before):
            timely.append(row["pk"])
        else:
            waiting.append(row["pk"])
    return timely, waiting


def figure_matters(matters: Any, figure: str, w: MeasureWindow, *, rank: int | None = None) -> Any:
    """The matters behind one figure of :func:`count_measures` (for a drill-down list).

    ``figure`` is a key of :data:`FIGURES`; ``rank`` the asking unit's level rank (for
    ``escalated``). Counting the result gives the figure.
    """
    measure, _, part = figure.partition(".")
    if measure == "timely_acceptance":
        pending = _decided(w) & Q(notice_due__isnull=True, deadline_pending=True)
        on_time, waiting = _split_pending(matters, pending, "decision", "notice_due")
        known = _decided(w) & Q(notice_due__isnull=False)
        q = {
            "denominator": known | Q(pk__in=on_time),
            "numerator": (known & _TIMELY) | Q(pk__in=on_time),
            "pending": Q(pk__in=waiting),
        }[part]
        return matters.filter(q)
    if measure == "on_time_completion":
        on_time, waiting = _split_pending(
            matters, _answered_pending(w), "answered_on", "handle_due"
        )
        q = {
            "denominator": _completion_known(w) | Q(pk__in=on_time),
            "numerator": (_completion_known(w) & _on_time(w)) | Q(pk__in=on_time),
            "pending": Q(pk__in=waiting),
        }[part]
        return matters.filter(q)
    if measure == "satisfaction":
        rated = _with_last_rating(matters.filter(_rated(w)), w)
        return rated if part == "denominator" else rated.filter(last_rating__in=SATISFIED)
    if measure in ("backlog", "backlog_resolved"):
        base = matters.filter(_backlog(w) if measure == "backlog" else _resolved(w))
        bands = _bands(w.as_of if measure == "backlog" else w.end)
        return base if part == "total" else base.filter(bands[part])
    if measure == "repeat":
        return matters.filter(_received(w)).filter(_repeat())
    if measure == "escalated":
        received = _with_reached_rank(matters.filter(_received(w)))
        return received.none() if rank is None else received.filter(reached_rank__lt=rank)
    raise KeyError(figure)


def unit_measures(unit: Unit, start: date, end: date, *, today: date | None = None) -> UnitMeasures:
    """Every measure of ``unit``'s subtree over ``[start, end]`` (about eight queries)."""
    w = MeasureWindow.of(start, end, today=today)
    matters = Petition.objects.filter(subtree_q(unit.path, "responsible_unit__path"))
    counts = count_measures(matters, w)[None]
    return UnitMeasures(
        unit_id=unit.pk,
        unit_name=unit.name,
        subject=unit_subject(unit),
        start=start,
        end=end,
        timely_acceptance=counts.timely_acceptance,
        on_time_completion=counts.on_time_completion,
        satisfaction=counts.satisfaction,
        backlog=counts.backlog,
        backlog_resolved=counts.backlog_resolved,
        repeat=counts.repeat,
        escalated=counts.escalated_above(level_rank(unit)),
    )


def suggestion_outcomes(unit: Unit, start: date, end: date) -> dict[str, int]:
    """Suggestions answered in ``[start, end]`` by the unit's subtree, counted by outcome
    (条例 Art. 29: adopted, partly adopted, not adopted); every outcome is a key."""
    counts = dict(
        Answer.objects.filter(
            subtree_q(unit.path, "unit__path"),
            petition__kind=Kind.SUGGESTION,
            stage=Stage.HANDLING,
            answered_on__gte=start,
            answered_on__lte=end,
        )
        .exclude(suggestion_outcome="")
        .values_list("suggestion_outcome")
        # Suggestions, not answers: one matter answered twice counts once.
        .annotate(n=Count("petition", distinct=True))
        .values_list("suggestion_outcome", "n")
    )
    return {outcome: counts.get(outcome, 0) for outcome in SuggestionOutcome.values}


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
                        + (f"，另有{ratio.pending}件期限待定未计入" if ratio.pending else "")
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
