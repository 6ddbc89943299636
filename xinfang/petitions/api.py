"""REST API of petition matters, mounted at ``/api/petitions/``.

Scoped exactly like the pages: every endpoint starts from
``Petition.objects.restrict(request.auth, …)`` and answers 404 alike for missing and
forbidden. Writes call the same services as the pages. Confidential petitioners are
returned as "(信访人要求保密)" to anyone who may not see them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, get_args

from django.db.models import Q
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile
from pydantic import Field

from xinfang.core.api_schema import (
    MAX_LIMIT,
    Day,
    Days,
    InputSchema,
    Limit,
    Offset,
    PathPk,
    Pk,
    QuerySchema,
    errors,
)
from xinfang.core.errors import NotFoundOrForbidden, TransitionNotAllowed
from xinfang.org.access import can
from xinfang.org.inbox import inbox_messages, mark_messages_read
from xinfang.org.models import Unit
from xinfang.petitions import services
from xinfang.petitions.attachments import attachment_response
from xinfang.petitions.choices import Channel, HandlingProcedure, Kind, PetitionerRole, Status
from xinfang.petitions.confidentiality import CONFIDENTIAL_LABEL, conceals
from xinfang.petitions.errors import PetitionError
from xinfang.petitions.models import (
    Answer,
    Attachment,
    DeliveryReceipt,
    Evidence,
    Hearing,
    MatterType,
    Petition,
)
from xinfang.petitions.querysets import petition_for_user
from xinfang.petitions.reminders import PETITION_SOURCE
from xinfang.petitions.workflow import STEPS, input_for, step_between, transition

router = Router(tags=["信访事项"])

# The statuses a step reaches (the ``to`` of a transition); a test keeps it equal to the
# targets of ``STEPS``. The petitioner's own steps are listed but refused to staff.
TransitionTarget = Literal[
    "routed",
    "objected",
    "accepted",
    "not_accepted",
    "linked",
    "in_handling",
    "answered",
    "evaluated",
    "closed",
    "review_requested",
    "reviewed",
    "rereview_requested",
    "final",
]
TRANSITION_TARGETS: tuple[str, ...] = get_args(TransitionTarget)
_STEP_KEYS = "; ".join(f"{s.target}: {', '.join(s.fields) or '-'}" for s in STEPS)


class PetitionOut(Schema):
    id: int
    number: str | None
    channel: Channel
    kind: Kind
    status: Status
    summary: str
    received_on: date
    matter_type: str | None
    registering_unit: str
    responsible_unit: str
    next_due: date | None
    next_due_step: str
    next_due_not_before: date | None = Field(
        None, description="期限待定时，当前期限最早可能的日期（不早于）"
    )
    deadline_pending: bool
    deadline_notice: str
    is_overdue: bool

    @staticmethod
    def from_row(p: Petition) -> dict[str, Any]:
        return {
            "id": p.pk,
            "number": p.number,
            "channel": p.channel,
            "kind": p.kind,
            "status": p.status,
            "summary": p.summary,
            "received_on": p.received_on,
            "matter_type": str(p.matter_type) if p.matter_type_id else None,
            "registering_unit": p.registering_unit.name,
            "responsible_unit": p.responsible_unit.name,
            "next_due": p.next_due,
            "next_due_step": p.next_due_step,
            "next_due_not_before": p.next_due_not_before,
            "deadline_pending": p.deadline_pending,
            "deadline_notice": p.deadline_notice,
            "is_overdue": p.is_overdue,
        }


class PetitionPage(Schema):
    count: int
    items: list[PetitionOut]


class PetitionerOut(Schema):
    role: str
    name: str
    phone: str
    address: str
    confidential: bool


class StepOut(Schema):
    name: str
    from_status: str
    to_status: str
    actor: str
    reason: str
    at: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class AnswerOut(Schema):
    id: int
    stage: str
    outcome: str
    unit: str
    answered_on: date
    delivered_on: date | None = Field(None, description="送达回证：信访人收到之日")
    delivery_method: str = ""
    recipient: str = ""


class HearingOut(Schema):
    id: int
    stage: str
    started_on: date
    ended_on: date | None
    note: str


class EvidenceOut(Schema):
    id: int
    description: str
    attachment_id: int | None
    added_at: str


class CompletionReportOut(Schema):
    id: int
    to_unit: str
    text: str
    submitted_on: date


class PetitionDetail(PetitionOut):
    place: str
    full_text: str
    handle_due: date | None
    route_due: date | None
    notice_due: date | None
    review_request_due: date | None
    review_due: date | None
    rereview_request_due: date | None
    rereview_due: date | None
    provisional_dues: dict[str, date] = Field(
        default_factory=dict, description="期限待定的各期限列：最早可能的日期（不早于）"
    )
    rereview_pause_days: int
    report_required: bool
    report_due: date | None
    report_submitted_on: date | None
    outcome: str
    is_final: bool
    after_final: bool
    litigation_related: bool = Field(description="涉法涉诉（第二十条、第二十二条、第二十八条）")
    handling_procedure: HandlingProcedure
    petitioners: list[PetitionerOut]
    timeline: list[StepOut]
    attachments: list[AttachmentOut]
    answers: list[AnswerOut]
    hearings: list[HearingOut]
    evidence: list[EvidenceOut]
    completion_reports: list[CompletionReportOut]
    allowed_transitions: list[str]


class HearingStartIn(InputSchema):
    started_on: Day | None = Field(None, description="默认今天")
    note: str = ""


class HearingEndIn(InputSchema):
    ended_on: Day | None = Field(None, description="默认今天")


class ReceiptIn(InputSchema):
    delivered_on: Day = Field(description="信访人收到书面意见之日，申请复查（复核）期限由此起算")
    method: str = Field(max_length=40, description="送达方式，如直接送达、邮寄送达")
    recipient: str = Field(max_length=50, description="受送达人")


class ReceiptOut(Schema):
    id: int
    answer_id: int
    delivered_on: date
    method: str
    recipient: str
    review_request_due: date | None = Field(None, description="送达后重新计算的申请期限")


class CompletionReportIn(InputSchema):
    text: str = Field(min_length=1, max_length=10000)


class NotificationOut(Schema):
    id: int
    petition_id: int
    petition_number: str | None
    kind: str
    step: str
    due: date
    recipient_unit: str
    text: str
    created_at: str
    is_read: bool


class NotificationPage(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class MarkReadIn(InputSchema):
    ids: list[Pk] | None = Field(None, max_length=MAX_LIMIT, description="省略则将全部未读标为已读")
    include_subunits: bool = False


class MarkedOut(Schema):
    marked: int


class PetitionerIn(InputSchema):
    name: str = Field(max_length=50)
    phone: str = Field("", max_length=30)
    id_number: str = Field("", max_length=30)
    address: str = Field("", max_length=500)
    role: PetitionerRole = PetitionerRole.PRIMARY
    wants_confidentiality: bool = False


class PetitionIn(InputSchema):
    registering_unit: Pk
    channel: Channel
    kind: Kind
    summary: str = Field(max_length=500)
    full_text: str = Field("", max_length=50_000)
    received_on: Day | None = None
    matter_type: str | None = Field(None, max_length=20, description="事项分类代码")
    place: str = Field("", max_length=200)
    head_count: int | None = Field(None, ge=1, le=100_000)
    accused_unit: Pk | None = None
    accused_person: str = Field("", max_length=100)
    handed_down_by: Pk | None = None
    report_due: Day | None = None
    source_reference: str = Field("", max_length=60)
    litigation_related: bool = Field(
        False, description="登记人标记涉法涉诉（第二十条、第二十二条、第二十八条）"
    )
    petitioners: list[PetitionerIn] = Field(min_length=1, max_length=200)
    idempotency_key: str | None = Field(None, max_length=80)


class Created(Schema):
    id: int
    number: str | None
    query_code: str


class TransitionIn(InputSchema):
    to: TransitionTarget = Field(description="目标状态；由当前状态和目标状态确定办理的步骤")
    reason: str = Field("", max_length=10_000)
    step: str | None = Field(
        None,
        max_length=40,
        description="步骤名，仅在同一目标状态有两个步骤时需要（驳回异议：reject_objection）",
    )
    payload: dict[str, Any] = Field(
        default_factory=dict,
        description="该步骤的参数（其他键一律拒绝，422）：" + _STEP_KEYS,
    )


class Filters(QuerySchema):
    q: str | None = Field(None, max_length=200)
    status: Status | None = None
    channel: Channel | None = None
    kind: Kind | None = None
    matter_type: str | None = Field(None, max_length=20)
    unit: Pk | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    overdue: bool | None = None
    limit: Limit = 25
    offset: Offset = 0


class DueFilter(QuerySchema):
    days: Days = Field(7, description="多少天内到期（含已超期）；超过90天按90天")
    limit: Limit = 25
    offset: Offset = 0


class InboxFilter(QuerySchema):
    unread: bool = False
    include_subunits: bool = False
    limit: Limit = 30
    offset: Offset = 0


def _rows(qs: Any) -> Any:
    return qs.select_related("registering_unit", "responsible_unit", "matter_type__parent")


def _page(qs: Any, limit: int, offset: int) -> dict[str, Any]:
    items = [PetitionOut.from_row(p) for p in _rows(qs)[offset : offset + limit]]
    return {"count": qs.count(), "items": items}


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/", response={200: PetitionPage, **errors()}, url_name="petitions_list")
def list_petitions(request: HttpRequest, filters: Query[Filters]) -> dict[str, Any]:
    """Matters in the caller's scope, filtered and paginated (limit/offset)."""
    qs = Petition.objects.restrict(_user(request), "view")
    f = filters
    if f.q:
        qs = qs.filter(Q(summary__icontains=f.q) | Q(number__iexact=f.q))
    for name in ("status", "channel", "kind"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.matter_type:
        qs = qs.filter(
            Q(matter_type__code=f.matter_type) | Q(matter_type__parent__code=f.matter_type)
        )
    if f.unit:
        unit = Unit.objects.filter(pk=f.unit).first()
        qs = qs.responsible(unit.path) if unit else qs.none()
    if f.date_from:
        qs = qs.filter(received_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(received_on__lte=f.date_to)
    if f.overdue:
        qs = qs.overdue()
    return _page(qs.order_by("-received_on", "-pk"), f.limit, f.offset)


@router.get("/due", response={200: PetitionPage, **errors()}, url_name="petitions_due")
def due_petitions(request: HttpRequest, filters: Query[DueFilter]) -> dict[str, Any]:
    """Due within ``days`` days or overdue, soonest first."""
    today = timezone.localdate()
    qs = Petition.objects.restrict(_user(request), "view").due_within(
        min(filters.days, 90), today=today
    )
    return _page(qs.order_by("next_due", "pk"), filters.limit, filters.offset)


def _detail(p: Petition, user: Any) -> dict[str, Any]:
    from xinfang.petitions.workflow import allowed_steps

    people = []
    for person in p.petitioners.all():
        hide = conceals(user, p, person.wants_confidentiality)
        people.append(
            {
                "role": person.role,
                "name": CONFIDENTIAL_LABEL if hide else person.name,
                "phone": "" if hide else person.phone_masked,
                "address": "" if hide else person.address,
                "confidential": person.wants_confidentiality,
            }
        )
    data = PetitionOut.from_row(p)
    data.update(
        place=p.place,
        full_text=p.full_text,
        handle_due=p.handle_due,
        route_due=p.route_due,
        notice_due=p.notice_due,
        review_request_due=p.review_request_due,
        review_due=p.review_due,
        rereview_request_due=p.rereview_request_due,
        rereview_due=p.rereview_due,
        provisional_dues={k: date.fromisoformat(v) for k, v in p.provisional_dues.items()},
        rereview_pause_days=p.rereview_pause_days,
        report_required=p.report_required,
        report_due=p.report_due,
        report_submitted_on=p.report_submitted_on,
        outcome=p.outcome,
        is_final=p.is_final,
        after_final=p.after_final,
        litigation_related=p.litigation_related,
        handling_procedure=p.handling_procedure,
        answers=[_answer_out(a) for a in p.answers.select_related("unit", "receipt")],
        hearings=[_hearing_out(h) for h in p.hearings.all()],
        evidence=[_evidence_out(e) for e in p.evidence.all()],
        completion_reports=[
            {"id": r.pk, "to_unit": r.to_unit.name, "text": r.text, "submitted_on": r.submitted_on}
            for r in p.completion_reports.select_related("to_unit")
        ],
        petitioners=people,
        timeline=[
            {
                "name": t.step,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor": t.actor_label,
                "reason": t.reason,
                "at": t.at.isoformat(),
            }
            for t in p.transitions.all()
        ],
        attachments=[_attachment_out(a) for a in p.attachments.all()],
        allowed_transitions=[str(s.target) for s in allowed_steps(p, user)],
    )
    return data


def _attachment_out(a: Attachment) -> dict[str, Any]:
    return {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size}


def _answer_out(a: Answer) -> dict[str, Any]:
    try:
        receipt: DeliveryReceipt | None = a.receipt
    except DeliveryReceipt.DoesNotExist:
        receipt = None
    return {
        "id": a.pk,
        "stage": a.stage,
        "outcome": a.outcome,
        "unit": a.unit.name,
        "answered_on": a.answered_on,
        "delivered_on": receipt.delivered_on if receipt else None,
        "delivery_method": receipt.method if receipt else "",
        "recipient": receipt.recipient if receipt else "",
    }


def _hearing_out(h: Hearing) -> dict[str, Any]:
    return {
        "id": h.pk,
        "stage": h.stage,
        "started_on": h.started_on,
        "ended_on": h.ended_on,
        "note": h.note,
    }


def _evidence_out(e: Evidence) -> dict[str, Any]:
    return {
        "id": e.pk,
        "description": e.description,
        "attachment_id": e.attachment_id,
        "added_at": e.added_at.isoformat(),
    }


def _load(request: HttpRequest, pk: int) -> Petition:
    petition = petition_for_user(_user(request), pk)
    return Petition.objects.select_related(
        "registering_unit", "responsible_unit", "matter_type__parent", "accused_unit"
    ).get(pk=petition.pk)


@router.get("/{int:pk}", response={200: PetitionDetail, **errors(404)}, url_name="petitions_detail")
def get_petition(request: HttpRequest, pk: PathPk) -> dict[str, Any]:
    """One matter with petitioners (confidential ones withheld), timeline and attachments."""
    return _detail(_load(request, pk), _user(request))


def _unit(pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise PetitionError("单位不存在")
    return unit


@router.post("/", response={201: Created, **errors(400, 404)}, url_name="petitions_create")
def create_petition(request: HttpRequest, data: PetitionIn) -> HttpStatus:
    """Register a matter (staff: needs "register" on the registering unit)."""
    unit = Unit.objects.filter(pk=data.registering_unit, is_active=True).first()
    if unit is None:
        raise NotFoundOrForbidden("单位不存在")
    matter_type = (
        MatterType.objects.filter(code=data.matter_type).first() if data.matter_type else None
    )
    user = _user(request)
    if not can(user, "register", unit.path):
        # As for a unit that does not exist: a registrar cannot probe the tree (404).
        raise NotFoundOrForbidden("单位不存在")
    result = services.register_petition(
        actor=user,
        registering_unit=unit,
        channel=data.channel,
        kind=data.kind,
        summary=data.summary,
        full_text=data.full_text,
        received_on=data.received_on,
        matter_type=matter_type,
        place=data.place,
        head_count=data.head_count,
        accused_unit=_unit(data.accused_unit),
        accused_person=data.accused_person,
        handed_down_by=_unit(data.handed_down_by),
        report_due=data.report_due,
        source_reference=data.source_reference,
        litigation_related=data.litigation_related,
        petitioners=[
            services.PetitionerData(
                name=p.name,
                phone=p.phone,
                id_number=p.id_number,
                address=p.address,
                role=p.role,
                wants_confidentiality=p.wants_confidentiality,
            )
            for p in data.petitioners
        ],
        idempotency_key=data.idempotency_key,
    )
    p = result.petition
    return HttpStatus(201, {"id": p.pk, "number": p.number, "query_code": result.query_code})


@router.get(
    "/{int:pk}/transitions",
    response={200: list[StepOut], **errors(404)},
    url_name="petitions_timeline",
)
def list_transitions(request: HttpRequest, pk: PathPk) -> list[dict[str, Any]]:
    """The timeline of one matter."""
    timeline: list[dict[str, Any]] = _detail(_load(request, pk), _user(request))["timeline"]
    return timeline


@router.post(
    "/{int:pk}/transitions",
    response={200: PetitionDetail, **errors(400, 404, 409)},
    url_name="petitions_transition",
)
def post_transition(request: HttpRequest, pk: PathPk, data: TransitionIn) -> dict[str, Any]:
    """Move the matter by the transition table (``to`` is the target status).

    ``payload`` is validated against the step's own input: an unknown key is a 422 and
    nothing of the body reaches the workflow but the step's fields. The petitioner's own
    steps (rating, review and re-review requests) are refused here: only the portal takes
    them, with the petitioner's proof."""
    petition = _load(request, pk)
    step = step_between(petition.status, data.to, data.step)
    if step is None:
        raise TransitionNotAllowed(
            f"“{Status(petition.status).label}”状态不能转为“{Status(data.to).label}”"
        )
    step_input = input_for(step, data.payload)  # StepInputInvalid: 422
    transition(
        petition,
        data.to,
        actor=_user(request),
        reason=data.reason,
        input=step_input,
        step=step.name,
    )
    return _detail(_load(request, pk), _user(request))


@router.post(
    "/{int:pk}/attachments",
    response={201: AttachmentOut, **errors(400, 404)},
    url_name="petitions_attach",
)
def upload_attachment(
    request: HttpRequest,
    pk: PathPk,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> HttpStatus:
    """Upload a file (type by content, size-limited) to a matter in scope."""
    petition = _load(request, pk)
    if file is None:
        raise PetitionError("请选择要上传的文件")
    a = services.add_attachment(petition, actor=_user(request), upload=file, stage="handling")
    return HttpStatus(201, _attachment_out(a))


@router.get(
    "/attachments/{int:pk}",
    response={200: None, **errors(404)},
    url_name="petitions_download",
)
def download_attachment(request: HttpRequest, pk: PathPk) -> HttpResponseBase:
    """Download an attachment of a matter in scope (always as an attachment)."""
    attachment = get_object_or_404(Attachment.objects.restrict(_user(request), "view"), pk=pk)
    return attachment_response(attachment)


# ---------------------------------------------------------------------------------------
# Hearings, delivery receipts, evidence, completion reports (in-state actions)


@router.post(
    "/{int:pk}/hearings",
    response={201: HearingOut, **errors(400, 404, 409)},
    url_name="petitions_hearing_start",
)
def start_hearing(request: HttpRequest, pk: PathPk, data: HearingStartIn) -> HttpStatus:
    """Open a hearing (needs "lead" on the responsible or reviewing unit). In re-review its
    days are not counted in the 30-day period (条例 Art. 36)."""
    petition = _load(request, pk)
    hearing = services.start_hearing(
        petition, actor=_user(request), started_on=data.started_on, note=data.note
    )
    return HttpStatus(201, _hearing_out(hearing))


@router.post(
    "/{int:pk}/hearings/end",
    response={200: HearingOut, **errors(400, 404, 409)},
    url_name="petitions_hearing_end",
)
def end_hearing(request: HttpRequest, pk: PathPk, data: HearingEndIn) -> dict[str, Any]:
    """Close the open hearing; a re-review's due date moves by the hearing's days."""
    petition = _load(request, pk)
    hearing = services.end_hearing(petition, actor=_user(request), ended_on=data.ended_on)
    return _hearing_out(hearing)


@router.post(
    "/{int:pk}/answers/{int:answer_pk}/receipt",
    response={201: ReceiptOut, **errors(400, 404, 409)},
    url_name="petitions_receipt",
)
def record_receipt(
    request: HttpRequest, pk: PathPk, answer_pk: PathPk, data: ReceiptIn
) -> HttpStatus:
    """送达回证 of an answer (needs "handle" on the answering unit); the review (re-review)
    request window runs from this date (条例 Arts. 35, 36)."""
    petition = _load(request, pk)
    answer = get_object_or_404(
        Answer.objects.select_related("unit", "petition"), pk=answer_pk, petition=petition
    )
    receipt = services.record_delivery(
        answer,
        actor=_user(request),
        delivered_on=data.delivered_on,
        method=data.method,
        recipient=data.recipient,
    )
    refreshed = Petition.objects.only("review_request_due", "rereview_request_due").get(pk=pk)
    due = (
        refreshed.rereview_request_due if answer.stage == "review" else refreshed.review_request_due
    )
    return HttpStatus(
        201,
        {
            "id": receipt.pk,
            "answer_id": answer.pk,
            "delivered_on": receipt.delivered_on,
            "method": receipt.method,
            "recipient": receipt.recipient,
            "review_request_due": due if answer.stage != "rereview" else None,
        },
    )


@router.post(
    "/{int:pk}/evidence",
    response={201: EvidenceOut, **errors(400, 404, 409)},
    url_name="petitions_evidence",
)
def add_evidence(
    request: HttpRequest,
    pk: PathPk,
    description: str = Form("", max_length=10_000, pattern=r"^[^\x00]*$"),
    file: UploadedFile | None = File(None),  # noqa: B008
) -> HttpStatus:
    """佐证材料 (multipart: ``description`` and optionally ``file``), after acceptance; needs
    "handle" on the responsible unit."""
    petition = _load(request, pk)
    evidence = services.add_evidence(
        petition, actor=_user(request), description=description, upload=file
    )
    return HttpStatus(201, _evidence_out(evidence))


@router.post(
    "/{int:pk}/completion-report",
    response={201: CompletionReportOut, **errors(400, 404, 409)},
    url_name="petitions_completion_report",
)
def submit_completion_report(
    request: HttpRequest, pk: PathPk, data: CompletionReportIn
) -> HttpStatus:
    """结案报告 to the office that handed the matter down (needs "lead" on the responsible
    unit, after the answer); clears the tracked report due date."""
    petition = _load(request, pk)
    report = services.submit_completion_report(petition, actor=_user(request), text=data.text)
    return HttpStatus(
        201,
        {
            "id": report.pk,
            "to_unit": report.to_unit.name,
            "text": report.text,
            "submitted_on": report.submitted_on,
        },
    )


# ---------------------------------------------------------------------------------------
# The notification inbox


@router.get(
    "/notifications",
    response={200: NotificationPage, **errors()},
    url_name="petitions_notifications",
)
def list_notifications(request: HttpRequest, filters: Query[InboxFilter]) -> dict[str, Any]:
    """Reminders and overdue notices addressed to the caller's units (or their subunits),
    about matters the caller may see; unread first."""
    user = _user(request)
    # The matters' messages of the one inbox (org.inbox); other apps' are on their pages.
    base = inbox_messages(user, include_subunits=filters.include_subunits).filter(
        source__startswith=PETITION_SOURCE
    )
    rows = base.filter(is_read=False) if filters.unread else base
    limit, offset = filters.limit, filters.offset
    page = rows.select_related("recipient_unit").order_by("is_read", "-created_at", "-pk")[
        offset : offset + limit
    ]
    return {
        "count": rows.count(),
        "unread": base.filter(is_read=False).count(),
        "items": [
            {
                "id": n.pk,
                "petition_id": int(n.source.removeprefix(PETITION_SOURCE)),
                "petition_number": n.subject,
                "kind": n.kind,
                "step": n.data.get("step", ""),
                "due": n.due,
                "recipient_unit": n.recipient_unit.name if n.recipient_unit else "",
                "text": n.text,
                "created_at": n.created_at.isoformat(),
                "is_read": n.is_read,
            }
            for n in page
        ],
    }


@router.post(
    "/notifications/read",
    response={200: MarkedOut, **errors(400)},
    url_name="petitions_notifications_read",
)
def mark_notifications_read(request: HttpRequest, data: MarkReadIn) -> dict[str, Any]:
    """Mark notifications of the caller's inbox as read (ids outside it are ignored)."""
    marked = mark_messages_read(
        actor=_user(request),
        ids=data.ids,
        include_subunits=data.include_subunits,
        source_prefix=PETITION_SOURCE,
    )
    return {"marked": marked}
