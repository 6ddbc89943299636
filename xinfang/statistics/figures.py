"""The figures of the statistics and the matters behind each one.

A figure is a count of matters of a unit's subtree (by responsible unit: the body that
decides, handles and answers) over a period. The service measures — timely acceptance,
on-time completion, satisfaction, backlog, repeat, escalation — are those of
:mod:`xinfang.petitions.measures`, counted and drilled down by its own definitions; this
module adds what the statistics pages and the Art. 41 report show besides: volume by
channel, kind and matter type, hand-overs, supervision, recommendations, pending dues.

Figure keys are ``name`` or ``name:value`` (``channel:letter``, ``matter_type:12``).
:func:`count_figures` counts them for every responsible unit in one pass per family;
:func:`figure_matters` returns the matters behind one of them, and counting that list gives
the figure (tested for every figure of the annual report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.choices import Channel, Kind, Outcome, RouteMode, Stage, SuggestionOutcome
from xinfang.petitions.measures import (
    FIGURES as MEASURE_FIGURES,
)
from xinfang.petitions.measures import (
    Counts,
    MeasureWindow,
    count_measures,
)
from xinfang.petitions.measures import (
    figure_matters as measure_matters,
)
from xinfang.petitions.models import Answer, MatterType, Petition, RouteHandover
from xinfang.statistics.errors import StatisticsInvalid
from xinfang.supervision.models import (
    CaseOwnership,
    Instruction,
    ListedSupervision,
    Reminder,
    SupervisionNotice,
)

__all__ = [
    "OWN_FIGURES",
    "UnitFigures",
    "count_figures",
    "figure_label",
    "figure_matters",
    "subtree_matters",
]

# Supervision records by kind: the model and the date it was made (条例 Arts. 38–40).
SUPERVISION: dict[str, tuple[Any, str]] = {
    "reminder": (Reminder, "issued_on"),
    "notice": (SupervisionNotice, "issued_on"),
    "listed": (ListedSupervision, "listed_on"),
    "instruction": (Instruction, "instructed_on"),
    "ownership": (CaseOwnership, "started_on"),
}

OWN_FIGURES: dict[str, str] = {
    "received": "收到信访事项",
    # What the Art. 41 report calls the bodies complained about: matters received, except
    # accusations (Art. 30: an accusation is never counted against its accused in a list).
    "complaints": "反映问题（不含检举控告）",
    "channel": "信访形式",
    "kind": "信访类别",
    "matter_type": "事项分类",
    "pending_dues": "期限待定（节假日安排未录入）",
    "handover.forward": "转送",
    "handover.assign": "交办",
    "supervision.reminder": "催办",
    "supervision.notice": "督办通知",
    "supervision.listed": "挂牌督办",
    "supervision.instruction": "领导批示",
    "supervision.ownership": "领导包案",
    # Recommendations (条例 Art. 38: a supervision notice may recommend improving work or
    # holding someone responsible, and the answer says whether it was adopted) and the
    # suggestions received (建议意见类, Art. 29), supported in the answer.
    "recommendation.made": "督办提出改进建议",
    "recommendation.adopted": "建议已采纳",
    "recommendation.not_adopted": "建议未采纳",
    "suggestion.received": "收到建议意见类事项",
    "suggestion.supported": "建议意见予以支持",
    # What became of the suggestions answered in the period (Art. 29, recorded on the
    # handling answer; the same count as petitions.measures.suggestion_outcomes).
    **{f"suggestion.{value}": f"建议意见{label}" for value, label in SuggestionOutcome.choices},
}
SUGGESTION_OUTCOME_FIGURES = tuple(f"suggestion.{v}" for v in SuggestionOutcome.values)


def figure_label(key: str) -> str:
    name, _, value = key.partition(":")
    if name in MEASURE_FIGURES:
        return MEASURE_FIGURES[name]
    if name == "channel":
        return str(Channel(value).label) if value in Channel.values else value
    if name == "kind":
        return str(Kind(value).label) if value in Kind.values else value
    if name == "matter_type":
        if value == "none":
            return "未分类"
        found = MatterType.objects.filter(pk=int(value)).values_list("name", flat=True).first()
        return found or value
    return OWN_FIGURES.get(name, key)


def subtree_matters(unit: Unit) -> Any:
    """Every matter whose responsible unit lies in ``unit``'s subtree (unscoped: callers
    intersect with ``Petition.objects.restrict(user)`` for lists)."""
    return Petition.objects.filter(subtree_q(unit.path, "responsible_unit__path"))


def _category() -> Coalesce:
    return Coalesce("matter_type__parent_id", "matter_type_id")


def _in(w: MeasureWindow, field: str) -> dict[str, Any]:
    return {f"{field}__range": (w.start, w.end)}


def _record_q(kind: str, w: MeasureWindow, *, exclude: Q | None = None, **extra: Any) -> Q:
    model, day = SUPERVISION[kind]
    records = model.objects.filter(petition=OuterRef("pk"), **_in(w, day), **extra)
    return Q(Exists(records.exclude(exclude) if exclude is not None else records))


def _handover_q(mode: str, w: MeasureWindow) -> Q:
    return Q(
        Exists(
            RouteHandover.objects.filter(petition=OuterRef("pk"), mode=mode, **_in(w, "routed_on"))
        )
    )


def _own_q(name: str, value: str, w: MeasureWindow) -> Q:
    received = Q(**_in(w, "received_on"))
    if name == "received":
        return received
    if name == "complaints":
        return received & ~Q(kind=Kind.ACCUSATION)
    if name == "channel":
        return received & Q(channel=value)
    if name == "kind":
        return received & Q(kind=value)
    if name == "matter_type":
        if value == "none":
            return received & Q(matter_type__isnull=True)
        if not value.isdigit():
            raise StatisticsInvalid("事项分类不正确")
        pk = int(value)
        return received & (Q(matter_type_id=pk) | Q(matter_type__parent_id=pk))
    if name == "pending_dues":
        return Q(deadline_pending=True)
    if name.startswith("handover."):
        return _handover_q(name.removeprefix("handover."), w)
    if name.startswith("supervision."):
        return _record_q(name.removeprefix("supervision."), w)
    if name == "recommendation.made":
        return _record_q("notice", w, exclude=Q(recommendation=""))
    if name == "recommendation.adopted":
        return _record_q("notice", w, adopted=True)
    if name == "recommendation.not_adopted":
        return _record_q("notice", w, adopted=False)
    if name == "suggestion.received":
        return received & Q(kind=Kind.SUGGESTION)
    if name == "suggestion.supported":
        return received & Q(kind=Kind.SUGGESTION, outcome=Outcome.SUPPORT)
    if name in SUGGESTION_OUTCOME_FIGURES:
        answers = Answer.objects.filter(
            petition=OuterRef("pk"),
            stage=Stage.HANDLING,
            suggestion_outcome=name.removeprefix("suggestion."),
            **_in(w, "answered_on"),
        )
        return Q(kind=Kind.SUGGESTION) & Q(Exists(answers))
    raise StatisticsInvalid("没有这一统计项")


def figure_matters(matters: Any, key: str, w: MeasureWindow, *, rank: int | None = None) -> Any:
    """The matters of ``matters`` behind the figure ``key`` over ``w`` (``rank``: the level
    rank of the unit asking, for escalation)."""
    name, _, value = key.partition(":")
    if name in MEASURE_FIGURES:
        return measure_matters(matters, name, w, rank=rank)
    if name in ("channel", "kind", "matter_type") and not value:
        raise StatisticsInvalid("请指明统计项的取值")
    if name not in OWN_FIGURES:
        raise StatisticsInvalid("没有这一统计项")
    return matters.filter(_own_q(name, value, w))


@dataclass
class UnitFigures:
    """Every figure of one group of matters: the measures and the own counts."""

    measures: Counts
    counts: Counter[str]

    def __add__(self, other: UnitFigures) -> UnitFigures:
        return UnitFigures(self.measures + other.measures, self.counts + other.counts)

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)


def _add(out: dict[Any, Counter[str]], rows: Iterable[dict[str, Any]], by: str, key: str) -> None:
    for row in rows:
        out.setdefault(row[by], Counter())[key] += row["n"]


def count_figures(
    matters: Any, w: MeasureWindow, *, by: str = "responsible_unit_id"
) -> dict[Any, UnitFigures]:
    """Every figure of ``matters`` over ``w``, per value of ``by`` (a responsible unit).

    The measures take about eight queries, the own figures about twelve, however many
    units: each family is one grouped query (a matter has one responsible unit, so the
    groups add up to the subtree).
    """
    out: dict[Any, Counter[str]] = {}
    received = matters.filter(_own_q("received", "", w))
    for row in (
        received.order_by().values(by, "channel", "kind", cat=_category()).annotate(n=Count("pk"))
    ):
        counter = out.setdefault(row[by], Counter())
        n = row["n"]
        counter["received"] += n
        counter[f"channel:{row['channel']}"] += n
        counter[f"kind:{row['kind']}"] += n
        counter[f"matter_type:{row['cat'] if row['cat'] is not None else 'none'}"] += n
        if row["kind"] == Kind.SUGGESTION:
            counter["suggestion.received"] += n
        if row["kind"] != Kind.ACCUSATION:
            counter["complaints"] += n
    grouped = matters.order_by().values(by)
    _add(out, grouped.filter(deadline_pending=True).annotate(n=Count("pk")), by, "pending_dues")
    for mode in RouteMode.values:
        key = f"handover.{mode}"
        _add(out, grouped.filter(_own_q(key, "", w)).annotate(n=Count("pk")), by, key)
    for kind in SUPERVISION:
        key = f"supervision.{kind}"
        _add(out, grouped.filter(_own_q(key, "", w)).annotate(n=Count("pk")), by, key)
    for key in (
        "recommendation.made",
        "recommendation.adopted",
        "recommendation.not_adopted",
        "suggestion.supported",
        *SUGGESTION_OUTCOME_FIGURES,
    ):
        _add(
            out,
            grouped.filter(_own_q(key, "", w)).annotate(n=Count("pk", distinct=True)),
            by,
            key,
        )
    measures = count_measures(matters, w, by=by)
    return {
        key: UnitFigures(measures.get(key, Counts()), out.get(key, Counter()))
        for key in set(out) | set(measures)
    }
