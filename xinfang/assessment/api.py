"""REST API of the assessment platform, mounted at ``/api/assessment/``.

Scoped like the pages: the office sees its schemes' periods whole, a subject unit its own
facts, appeals and — once published — the results. ``GET periods/{id}/results`` answers
in the shape of ``xinfang assess --json`` (``rulebook``, ``version``, ``warnings``,
``subjects``) plus ``final`` and ``small_sample`` (the subjects not ranked for want of
matters). A rater reads their own rating assignments (``GET ratings/``) and gives a score
(``POST ratings/{id}``) by the rules of the "我的评分" page: only their own, until the
declaration deadline, audited; nobody else's score is ever answered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from xinfang.assessment import services
from xinfang.assessment.choices import FINAL_STATUSES, PeriodStatus
from xinfang.assessment.collect import period_evaluation, stored_json
from xinfang.assessment.models import Appeal, Fact, Period, Rating, Result, Scheme, Subject
from xinfang.assessment.ratings import (
    Component,
    components,
    rated_items,
    rating_maximum,
    rating_open,
)
from xinfang.assessment.scoring import rulebook_of
from xinfang.core.api_schema import Day, InputSchema, Limit, Offset, PathPk, Pk, QuerySchema, errors
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.org.access import can
from xinfang.org.models import Unit

router = Router(tags=["考评"])
TEXT_MAX = services.TEXT_MAX


def _actor(request: HttpRequest) -> Any:
    return getattr(request, "auth", None)


def _one(qs: Any, request: HttpRequest, pk: int, action: str = "view") -> Any:
    found = qs.restrict(_actor(request), action).filter(pk=pk).first()
    if found is None:
        raise NotFoundOrForbidden("对象不存在或您无权查看")
    return found


class SchemeOut(Schema):
    id: int
    name: str
    rulebook: str
    rulebook_version: str
    rulebook_sha256: str
    assessing_unit: str
    period_kind: str
    min_matters: int


class PeriodOut(Schema):
    id: int
    scheme: int
    title: str
    rulebook: str
    rulebook_sha256: str
    status: str
    start: date
    end: date
    declaration_due: date | None
    review_due: date | None
    appeal_due: date | None


class FactOut(Schema):
    id: int
    subject: str
    unit: int
    item: str
    date: date
    quantity: float | None
    value: float | None
    note: str
    evidence: str
    source: str
    origin: str
    status: str
    review_reason: str


class AppealOut(Schema):
    id: int
    fact: int
    unit: int
    reason: str
    status: str
    decision: str


class ResultsOut(Schema):
    rulebook: str
    version: str
    warnings: list[str]
    subjects: list[dict[str, Any]]
    final: bool
    small_sample: list[str]
    # A composite rulebook's parts per subject (Loudi): score, weight, points, source.
    components: dict[str, list[Component]]


class Page(QuerySchema):
    offset: Offset = 0
    limit: Limit = 100


def _scheme(s: Scheme) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "rulebook": s.rulebook,
        "rulebook_version": s.rulebook_version,
        "rulebook_sha256": s.rulebook_sha256,
        "assessing_unit": s.assessing_unit.name,
        "period_kind": s.period_kind,
        "min_matters": s.min_matters,
    }


def _period(p: Period) -> dict[str, Any]:
    return {
        "id": p.pk,
        "scheme": p.scheme_id,
        "title": p.title,
        "rulebook": p.rulebook,
        "rulebook_sha256": p.rulebook_sha256,
        "status": p.status,
        "start": p.start,
        "end": p.end,
        "declaration_due": p.declaration_due,
        "review_due": p.review_due,
        "appeal_due": p.appeal_due,
    }


def _fact(f: Fact) -> dict[str, Any]:
    return {
        "id": f.pk,
        "subject": f.subject,
        "unit": f.unit_id,
        "item": f.item,
        "date": f.date,
        "quantity": f.quantity,
        "value": f.value,
        "note": f.note,
        "evidence": f.evidence,
        "source": f.source,
        "origin": f.origin,
        "status": f.status,
        "review_reason": f.review_reason,
    }


def _appeal(a: Appeal) -> dict[str, Any]:
    return {
        "id": a.pk,
        "fact": a.fact_id,
        "unit": a.unit_id,
        "reason": a.reason,
        "status": a.status,
        "decision": a.decision,
    }


@router.get("/schemes/", response={200: list[SchemeOut], **errors()}, url_name="assessment_schemes")
def list_schemes(request: HttpRequest) -> list[dict[str, Any]]:
    """Schemes the caller assesses with or is assessed by."""
    qs = Scheme.objects.restrict(_actor(request), "view").select_related("assessing_unit")
    return [_scheme(s) for s in qs.order_by("pk")]


@router.get("/periods/", response={200: list[PeriodOut], **errors()}, url_name="assessment_periods")
def list_periods(request: HttpRequest, page: Query[Page]) -> list[dict[str, Any]]:
    """Periods in scope, newest first."""
    qs = Period.objects.restrict(_actor(request), "view").order_by("-start", "pk")
    return [_period(p) for p in qs[page.offset : page.offset + page.limit]]


@router.get("/periods/{pk}", response={200: PeriodOut, **errors(404)}, url_name="assessment_period")
def get_period(request: HttpRequest, pk: PathPk) -> dict[str, Any]:
    return _period(_one(Period.objects, request, pk))


class StepIn(InputSchema):
    step: str = Field(max_length=40)
    reason: str = Field("", max_length=TEXT_MAX)


@router.post(
    "/periods/{pk}/steps",
    response={200: PeriodOut, **errors(404, 409)},
    url_name="assessment_period_step",
)
def period_step(request: HttpRequest, pk: PathPk, data: StepIn) -> dict[str, Any]:
    """Move a period to its next phase (the office)."""
    period = _one(Period.objects.select_related("scheme__assessing_unit"), request, pk, "assess")
    services.take_step(period, data.step, actor=_actor(request), reason=data.reason)
    return _period(period)


@router.get(
    "/periods/{pk}/facts",
    response={200: list[FactOut], **errors(404)},
    url_name="assessment_facts",
)
def list_facts(request: HttpRequest, pk: PathPk, page: Query[Page]) -> list[dict[str, Any]]:
    """The period's facts the caller may see (a unit: its own)."""
    period = _one(Period.objects, request, pk)
    qs = Fact.objects.restrict(_actor(request), "view").filter(period=period).order_by("pk")
    return [_fact(f) for f in qs[page.offset : page.offset + page.limit]]


class FactIn(InputSchema):
    unit: Pk
    item: str = Field(max_length=80)
    date: Day
    quantity: float | None = Field(None, ge=0, le=1e9)
    value: float | None = Field(None, ge=-1e9, le=1e9)
    note: str = Field("", max_length=TEXT_MAX)
    evidence: str = Field("", max_length=120)


@router.post(
    "/periods/{pk}/facts",
    response={201: FactOut, **errors(404)},
    url_name="assessment_fact_create",
)
def create_fact(request: HttpRequest, pk: PathPk, data: FactIn) -> HttpStatus:
    """The office enters a fact; a subject unit declares one (self-assessment)."""
    actor = _actor(request)
    period = _one(Period.objects.select_related("scheme__assessing_unit"), request, pk)
    unit = Unit.objects.filter(pk=data.unit, is_active=True).first()
    if unit is None or not Subject.objects.filter(period=period, unit=unit).exists():
        raise NotFoundOrForbidden("考核对象不存在")
    office = can(actor, "assess", period.scheme.assessing_unit.path)
    create = services.enter_fact if office else services.declare_fact
    fact = create(
        actor=actor,
        period=period,
        unit=unit,
        item=data.item,
        day=data.date,
        quantity=data.quantity,
        value=data.value,
        note=data.note,
        evidence=data.evidence,
    )
    return HttpStatus(201, _fact(fact))


class FactStepIn(StepIn):
    quantity: float | None = Field(None, ge=0, le=1e9)
    value: float | None = Field(None, ge=-1e9, le=1e9)


@router.post(
    "/facts/{pk}/steps",
    response={200: FactOut, **errors(404, 409)},
    url_name="assessment_fact_step",
)
def fact_step(request: HttpRequest, pk: PathPk, data: FactStepIn) -> dict[str, Any]:
    """Review a declared fact: accept, adjust (with the quantity or value) or reject."""
    fact = _one(
        Fact.objects.select_related("period__scheme__assessing_unit"), request, pk, "assess"
    )
    payload = {"quantity": data.quantity, "value": data.value} if data.step == "adjust" else {}
    services.take_step(fact, data.step, actor=_actor(request), reason=data.reason, data=payload)
    return _fact(fact)


@router.get(
    "/periods/{pk}/appeals",
    response={200: list[AppealOut], **errors(404)},
    url_name="assessment_appeals",
)
def list_appeals(request: HttpRequest, pk: PathPk) -> list[dict[str, Any]]:
    period = _one(Period.objects, request, pk)
    qs = Appeal.objects.restrict(_actor(request), "view").filter(period=period).order_by("pk")
    return [_appeal(a) for a in qs]


class AppealIn(InputSchema):
    reason: str = Field(max_length=TEXT_MAX)


@router.post(
    "/facts/{pk}/appeals",
    response={201: AppealOut, **errors(404)},
    url_name="assessment_appeal_create",
)
def create_appeal(request: HttpRequest, pk: PathPk, data: AppealIn) -> HttpStatus:
    """A unit appeals one of its facts before the appeal deadline."""
    fact = _one(Fact.objects.select_related("period", "unit"), request, pk)
    return HttpStatus(
        201, _appeal(services.file_appeal(actor=_actor(request), fact=fact, reason=data.reason))
    )


@router.post(
    "/appeals/{pk}/steps",
    response={200: AppealOut, **errors(404, 409)},
    url_name="assessment_appeal_step",
)
def appeal_step(request: HttpRequest, pk: PathPk, data: StepIn) -> dict[str, Any]:
    """Uphold or dismiss an appeal, with the reason."""
    appeal = _one(
        Appeal.objects.select_related("period__scheme__assessing_unit", "fact"),
        request,
        pk,
        "assess",
    )
    services.take_step(appeal, data.step, actor=_actor(request), reason=data.reason)
    return _appeal(appeal)


@router.get(
    "/periods/{pk}/results",
    response={200: ResultsOut, **errors(404)},
    url_name="assessment_results",
)
def period_results(request: HttpRequest, pk: PathPk) -> dict[str, Any]:
    """The results: stored once closed; provisional (the office only) before; the subject
    units read them once published."""
    actor = _actor(request)
    period = _one(Period.objects.select_related("scheme__assessing_unit"), request, pk)
    office = can(actor, "assess", period.scheme.assessing_unit.path)
    if not office and period.status != PeriodStatus.PUBLISHED:
        raise NotFoundOrForbidden("考评结果尚未通报")
    if period.status in FINAL_STATUSES:
        flagged = Result.objects.filter(period=period, small_sample=True)
        return {
            **stored_json(period),
            "final": True,
            "small_sample": list(flagged.order_by("position").values_list("subject", flat=True)),
            "components": components(period),
        }
    data = period_evaluation(period).data
    minimum = period.scheme.min_matters
    return {
        **data,
        "final": False,
        "components": components(period),
        "small_sample": list(
            Subject.objects.filter(period=period, sample__lt=minimum).values_list("code", flat=True)
        ),
    }


class RatingOut(Schema):
    """One of the caller's own rating assignments, with the score they gave (if any)."""

    id: int
    period: int
    period_title: str
    item: str
    title: str
    kind: str
    rater_unit: str
    subject: str
    subject_name: str
    max: float
    due: date | None
    open: bool
    score: float | None
    submitted_at: datetime | None


def _rating(r: Rating, today: date) -> dict[str, Any]:
    rb = rulebook_of(r.period.scheme.rulebook_text)[0]
    part = rated_items(rb).get(r.item)
    return {
        "id": r.pk,
        "period": r.period_id,
        "period_title": r.period.title,
        "item": r.item,
        "title": part.title if part else r.item,
        "kind": r.kind,
        "rater_unit": r.rater_unit.name,
        "subject": r.subject.code,
        "subject_name": r.subject.name,
        "max": rating_maximum(rb, r.item),
        "due": r.period.declaration_due,
        "open": rating_open(r.period, today),
        "score": r.score,
        "submitted_at": r.submitted_at,
    }


def _assigned(request: HttpRequest) -> Any:
    return Rating.objects.assigned_to(_actor(request)).select_related(
        "period__scheme", "subject", "rater_unit"
    )


@router.get("/ratings/", response={200: list[RatingOut], **errors()}, url_name="assessment_ratings")
def list_ratings(request: HttpRequest, page: Query[Page]) -> list[dict[str, Any]]:
    """The caller's own rating assignments (a leader's in person, a peer unit's to its
    handlers), newest period first; the office's completion view is not here."""
    qs = _assigned(request).order_by("-period__start", "period_id", "item", "subject__position")
    today = timezone.localdate()
    return [_rating(r, today) for r in qs[page.offset : page.offset + page.limit]]


class RatingIn(InputSchema):
    score: float = Field(ge=0, le=1e9)


@router.post(
    "/ratings/{pk}",
    response={200: RatingOut, **errors(404)},
    url_name="assessment_rating_submit",
)
def submit_rating(request: HttpRequest, pk: PathPk, data: RatingIn) -> dict[str, Any]:
    """Give or change a score (0 to the part's maximum) until the declaration deadline."""
    rating = _assigned(request).filter(pk=pk).first()
    if rating is None:
        raise NotFoundOrForbidden("评分任务不存在或您无权评分")
    stored = services.submit_rating(actor=_actor(request), rating=rating, score=data.score)
    return _rating(stored, timezone.localdate())
