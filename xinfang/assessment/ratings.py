"""Ratings collected through forms: Loudi's internal assessment (领导评价, 同级评价) and
the composite's components.

A rulebook's ``part`` item says who gives its score (``collected``): ``leaders`` and
``peers`` rate on the platform, a ``survey`` result (公众评议, run outside) is entered by
the office as a fact with the survey's results attached (``services._checked_fact``).

* The office (``assess`` over the scheme's assessing unit) assigns raters to subjects per
  period and part: a leader in person (who holds ``lead`` over the unit they rate for) or
  a peer unit (any of its handlers, ``handle``, rates for it). Nobody rates a unit they
  belong to.
* A rater sees and rates only the ratings assigned to them, while the period is open,
  collecting or in self-declaration and not after the declaration deadline; a rating may
  be changed until then. Every assignment and score is audited.
* When the review opens (``workflow._start_review``) the submitted scores of each
  subject's part become one fact of that part: their mean, with the count in its note.
  Before that the rated unit sees nothing, so it cannot tell one rater's score from the
  change of the mean; after it, the mean only. The office's pages show completion, never a
  score; the individual scores stay in the table and in the audit trail (read by the
  administrators) for a dispute over a rating.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from xinfang.assessment.choices import (
    COUNTED_FACT_STATUSES,
    RATING_STATUSES,
    FactOrigin,
    FactStatus,
    RaterKind,
)
from xinfang.assessment.errors import AssessmentInvalid, PhaseClosed
from xinfang.assessment.models import Fact, Period, Rating, Subject
from xinfang.assessment.querysets import UNIT_ACTION
from xinfang.assessment.rulebook import Item, Rulebook
from xinfang.assessment.scoring import csv_number, rulebook_of
from xinfang.core import audit
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.models import AuditAction
from xinfang.core.workflow import SYSTEM
from xinfang.org.access import can
from xinfang.org.models import Unit

__all__ = [
    "RATED_SOURCE",
    "Component",
    "Progress",
    "assign_raters",
    "components",
    "composite_items",
    "make_rating_facts",
    "progress",
    "rated_items",
    "rating_maximum",
    "rating_open",
    "submit_rating",
]

RATED_SOURCE = "assessment.ratings"


def composite_items(rb: Rulebook) -> list[Item]:
    """The parts of the rulebook's composite sections, in file order."""
    return [i for s in rb.sections if s.mode == "composite" for i in s.items if i.kind == "part"]


def rated_items(rb: Rulebook) -> dict[str, Item]:
    """The parts rated through forms (``collected: leaders | peers``), by code."""
    return {i.code: i for i in composite_items(rb) if i.collected in RaterKind.values}


def _rb(period: Period) -> Rulebook:
    return rulebook_of(period.scheme.rulebook_text)[0]


def _office(actor: Any, period: Period) -> None:
    if actor is not SYSTEM and not can(actor, "assess", period.scheme.assessing_unit.path):
        raise NotFoundOrForbidden("考评期次不存在或您无权操作")


@transaction.atomic
def assign_raters(
    *,
    actor: Any,
    period: Period,
    item: str,
    rater_unit: Unit,
    subjects: Iterable[Subject],
    rater_user: Any = None,
) -> int:
    """Assign one rater (a leader in person, or a peer unit) to ``subjects`` on the rated
    part ``item``; an assignment made before is kept. Returns how many were added."""
    _office(actor, period)
    if period.status not in RATING_STATUSES:
        raise PhaseClosed("审核开始后不能再分配评分")
    part = rated_items(_rb(period)).get(item)
    if part is None:
        raise AssessmentInvalid(f"考核细则 {period.rulebook} 没有由评分表评分的项目 {item}")
    if part.collected == RaterKind.LEADERS:
        if rater_user is None or not can(rater_user, "lead", rater_unit.path):
            raise AssessmentInvalid(f"{part.title}须由对{rater_unit.name}有领导权限的领导评分")
    elif rater_user is not None:
        raise AssessmentInvalid(f"{part.title}由单位评分，不指定个人")
    added = []
    for subject in subjects:
        if subject.period_id != period.pk:
            raise AssessmentInvalid(f"{subject.name}不是本期考核对象")
        if rater_unit.path.startswith(subject.unit.path):
            raise AssessmentInvalid(f"{rater_unit.name}属于{subject.name}，不能评价本单位")
        rating, created = Rating.objects.get_or_create(
            period=period,
            subject=subject,
            item=item,
            rater_unit=rater_unit,
            rater_user=rater_user,
            defaults={"kind": RaterKind(part.collected or "")},
        )
        if created:
            added.append(rating)
    audit.record_many(
        actor=actor,
        items=(
            {
                "action": AuditAction.CREATE,
                "obj": r,
                "after": {
                    "subject": r.subject.code,
                    "item": r.item,
                    "rater_unit": rater_unit.pk,
                    "rater_user": getattr(rater_user, "pk", None),
                },
            }
            for r in added
        ),
    )
    return len(added)


def rating_maximum(rb: Rulebook, item: str) -> float:
    """The most points a rater may give on the rated part ``item`` (100 unless it says)."""
    part = rated_items(rb).get(item)
    return (part.max if part and part.max is not None else None) or 100.0


def rating_open(period: Period, today: date) -> bool:
    """Whether the period's raters may still rate: in a rating phase, not after the
    declaration deadline."""
    return period.status in RATING_STATUSES and (
        period.declaration_due is None or today <= period.declaration_due
    )


def may_rate(actor: Any, rating: Rating) -> bool:
    """Whether ``actor`` is the rater: the leader in person, or staff of the peer unit."""
    if rating.kind == RaterKind.LEADERS:
        return getattr(actor, "pk", None) == rating.rater_user_id and can(
            actor, "lead", rating.rater_unit.path
        )
    return can(actor, UNIT_ACTION, rating.rater_unit.path)


@transaction.atomic
def submit_rating(*, actor: Any, rating: Rating, score: float | None) -> Rating:
    """The rater's score (0 to the part's maximum), until the declaration deadline."""
    rating = (
        Rating.objects.select_for_update()
        .select_related("period__scheme__assessing_unit", "rater_unit", "subject")
        .get(pk=rating.pk)
    )
    if not may_rate(actor, rating):
        raise NotFoundOrForbidden("评分任务不存在或您无权评分")
    period = rating.period
    if not rating_open(period, timezone.localdate()):
        if period.status not in RATING_STATUSES:
            raise PhaseClosed("本期评分已结束")
        raise PhaseClosed(f"评分已于{period.declaration_due:%Y-%m-%d}截止")
    top = rating_maximum(_rb(period), rating.item)
    if score is None or not 0 <= score <= top:
        raise AssessmentInvalid(f"评分须在 0–{top:g} 分之间")
    before = {"score": rating.score}
    rating.score = csv_number(score)
    rating.submitted_at = timezone.now()
    rating.version += 1
    rating.save(update_fields=["score", "submitted_at", "version"])
    # The score is in the audit trail (administrators only), never on a page.
    audit.record(
        actor=actor, action=AuditAction.CHANGE, obj=rating, before=before, after={"score": score}
    )
    return rating


def make_rating_facts(period: Period, *, actor: Any) -> dict[str, int]:
    """Each subject's rated parts as one fact each: the mean of the submitted scores (the
    engine averages a part's facts, so one fact of the mean scores the same), replacing
    any made before. Runs inside the review's opening step."""
    parts = rated_items(_rb(period))
    if not parts:
        return {}
    Fact.objects.filter(period=period, origin=FactOrigin.RATED).delete()
    rows = list(
        Rating.objects.filter(period=period)
        .values("subject_id", "subject__code", "subject__unit_id", "item")
        .annotate(
            assigned=Count("pk"),
            rated=Count("pk", filter=Q(score__isnull=False)),
            mean=Avg("score"),
        )
        .order_by("subject__position", "item")
    )
    facts = []
    for r in rows:
        if not r["rated"]:
            continue
        part = parts[r["item"]]
        facts.append(
            Fact(
                period=period,
                unit_id=r["subject__unit_id"],
                subject=r["subject__code"],
                item=r["item"],
                date=period.end,
                value=csv_number(r["mean"]),
                note=f"{part.title}：{r['rated']}份评分的平均分（分配{r['assigned']}份）",
                evidence=f"assessment.Rating:{period.pk}",
                source=RATED_SOURCE,
                origin=FactOrigin.RATED,
                status=FactStatus.ACCEPTED,
            )
        )
    made = Fact.objects.bulk_create(facts)  # primary keys set (PostgreSQL, SQLite ≥ 3.35)
    audit.record_many(
        actor=actor,
        items=(
            {
                "action": AuditAction.CREATE,
                "obj": f,
                "after": {"subject": f.subject, "item": f.item, "value": f.value},
            }
            for f in made
        ),
    )
    return {
        "rating_facts": len(made),
        "ratings": sum(r["rated"] for r in rows),
        "ratings_assigned": sum(r["assigned"] for r in rows),
    }


@dataclass(frozen=True)
class Progress:
    """One rater's completion on one part: how many of the assigned subjects are rated."""

    item: str
    title: str
    rater: str
    assigned: int
    rated: int


def progress(period: Period) -> list[Progress]:
    """The office's view: completion per rater and part, no scores."""
    parts = rated_items(_rb(period))
    rows = (
        Rating.objects.filter(period=period)
        .values("item", "rater_unit__name", "rater_user__username", "rater_user__full_name")
        .annotate(assigned=Count("pk"), rated=Count("pk", filter=Q(score__isnull=False)))
        .order_by("item", "rater_unit__name", "rater_user__username")
    )
    out = []
    for r in rows:
        person = r["rater_user__full_name"] or r["rater_user__username"]
        out.append(
            Progress(
                item=r["item"],
                title=parts[r["item"]].title if r["item"] in parts else r["item"],
                rater=f"{r['rater_unit__name']} {person}" if person else r["rater_unit__name"],
                assigned=r["assigned"],
                rated=r["rated"],
            )
        )
    return out


@dataclass(frozen=True)
class Component:
    """One part of a subject's composite: its score (the mean of its counted facts), the
    weight and the points it gives, and where the score came from."""

    item: str
    title: str
    score: float | None
    weight: float
    points: float
    basis: str


def _basis(item: Item, facts: list[Fact]) -> str:
    if not facts:
        return "未取得，计0分"
    if item.collected in RaterKind.values:
        return (
            facts[0].note.removeprefix(f"{item.title}：")
            if len(facts) == 1
            else f"{len(facts)}条评分汇总"
        )
    if item.collected == "survey":
        return "公众评议调查结果（附调查材料）"
    return "考评办录入" if len(facts) == 1 else f"{len(facts)}条记录取平均"


def components(period: Period, subjects: Iterable[str] | None = None) -> dict[str, list[Component]]:
    """Each subject's composite parts, from the counted facts the engine scores (a part
    scores weight × the mean of its facts, 0 when it has none)."""
    parts = composite_items(_rb(period))
    if not parts:
        return {}
    facts = Fact.objects.filter(
        period=period, status__in=COUNTED_FACT_STATUSES, item__in=[p.code for p in parts]
    ).order_by("pk")
    codes = list(subjects) if subjects is not None else None
    if codes is not None:
        facts = facts.filter(subject__in=codes)
    by: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        by[(f.subject, f.item)].append(f)
    if codes is None:
        in_order = Subject.objects.filter(period=period).order_by("position")
        codes = list(in_order.values_list("code", flat=True))
    out: dict[str, list[Component]] = {}
    for code in codes:
        row = []
        for p in parts:
            fs = by.get((code, p.code), [])
            values = [f.value for f in fs if f.value is not None]
            score = sum(values) / len(fs) if fs else None
            weight = p.weight or 0.0
            row.append(
                Component(
                    item=p.code,
                    title=p.title,
                    score=None if score is None else round(score, 4),
                    weight=weight,
                    points=round((score or 0.0) * weight, 4),
                    basis=_basis(p, fs),
                )
            )
        out[code] = row
    return out
