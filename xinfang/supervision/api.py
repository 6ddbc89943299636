"""REST API of supervision, mounted at ``/api/supervision/``.

Scoped like the pages (``<Model>.objects.restrict(_actor(request), "view")``; 404 alike for
missing and forbidden matters); the create endpoints call the same services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from xinfang.core.api_schema import Day, InputSchema, Limit, Offset, Pk, QuerySchema, errors
from xinfang.org.models import Unit, User
from xinfang.petitions.querysets import petition_for_user
from xinfang.supervision import services
from xinfang.supervision.choices import RecordKind
from xinfang.supervision.errors import SupervisionInvalid
from xinfang.supervision.views import MODELS, _due, _scoped, by_state, timing

router = Router(tags=["督查督办"])


class RecordOut(Schema):
    id: int
    kind: RecordKind
    petition: int
    petition_number: str | None
    supervising_unit: str
    responsible_unit: str
    status: str
    due: date | None
    due_not_before: date | None = Field(
        None, description="期限待定时（当年节假日安排未录入），期限最早可能的日期"
    )
    overdue: bool
    text: str


class RecordPage(Schema):
    count: int
    items: list[RecordOut]


class ListFilter(QuerySchema):
    kind: RecordKind = RecordKind.NOTICE
    state: str = Field("open", pattern="^(open|overdue|all)$")
    offset: Offset = 0
    limit: Limit = 25


def _actor(request: HttpRequest) -> Any:
    """The authenticated staff user (ninja sets ``request.auth``)."""
    return getattr(request, "auth", None)


_TEXT: dict[str, str] = {
    RecordKind.REMINDER: "note",
    RecordKind.NOTICE: "recommendation",
    RecordKind.LISTED: "reason",
    RecordKind.OWNERSHIP: "note",
    RecordKind.INSTRUCTION: "text",
}


def _out(record: Any, kind: str, today: date) -> dict[str, Any]:
    times = timing(record, kind, today)
    return {
        "id": record.pk,
        "kind": kind,
        "petition": record.petition_id,
        "petition_number": record.petition.number,
        "supervising_unit": record.supervising_unit.name,
        "responsible_unit": record.responsible_unit.name,
        "status": record.status,
        "due": times["due"],
        "due_not_before": getattr(record, "answer_not_before", None),
        "overdue": times["overdue"],
        "text": getattr(record, _TEXT[kind]),
    }


def _page(kind: str, request: HttpRequest, f: ListFilter) -> dict[str, Any]:
    if kind not in MODELS:
        raise SupervisionInvalid("未知的督办类别")
    today = timezone.localdate()
    qs = by_state(_scoped(kind, _actor(request)), f.state, today).order_by("pk")
    return {
        "count": qs.count(),
        "items": [_out(r, kind, today) for r in qs[f.offset : f.offset + f.limit]],
    }


@router.get("/", response={200: RecordPage, **errors(400)}, url_name="supervision_list")
def list_records(request: HttpRequest, filters: Query[ListFilter]) -> dict[str, Any]:
    """Supervision records in scope: ``kind`` = reminder / notice / listed / ownership."""
    return _page(filters.kind, request, filters)


@router.get(
    "/instructions",
    response={200: RecordPage, **errors()},
    url_name="supervision_instructions",
)
def list_instructions(request: HttpRequest, filters: Query[ListFilter]) -> dict[str, Any]:
    """Leaders' instructions in scope, with due date and overdue flag."""
    return _page(RecordKind.INSTRUCTION, request, filters)


class Created(Schema):
    id: int
    kind: RecordKind
    due: date | None
    due_not_before: date | None = None


CREATED = {201: Created, **errors(400, 404)}


def _unit(pk: int | None) -> Unit | None:
    return Unit.objects.filter(pk=pk, is_active=True).first() if pk else None


def _user(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def _created(kind: str, call: Callable[[], Any]) -> HttpStatus:
    """Call the kind's service (each argument named, none spread from the body); its refusals
    reach the API's one handler (``xinfang.api``: 400, 409 for a concurrent change)."""
    record = call()
    return HttpStatus(
        201,
        {
            "id": record.pk,
            "kind": kind,
            "due": _due(record, kind),
            "due_not_before": getattr(record, "answer_not_before", None),
        },
    )


def _required_unit(pk: int) -> Unit:
    unit = _unit(pk)
    if unit is None:
        raise SupervisionInvalid("单位不存在")
    return unit


TEXT_MAX = 10_000


class ReminderIn(InputSchema):
    petition: Pk
    supervising_unit: Pk
    note: str = Field(max_length=TEXT_MAX)
    reply_due: Day | None = None


@router.post("/reminders", response=CREATED, url_name="supervision_remind")
def create_reminder(request: HttpRequest, data: ReminderIn) -> HttpStatus:
    """催办 a matter."""
    petition = petition_for_user(_actor(request), data.petition)
    unit = _required_unit(data.supervising_unit)
    return _created(
        RecordKind.REMINDER,
        lambda: services.send_reminder(
            actor=_actor(request),
            petition=petition,
            supervising_unit=unit,
            note=data.note,
            reply_due=data.reply_due,
        ),
    )


class NoticeIn(InputSchema):
    petition: Pk
    supervising_unit: Pk
    reasons: str = Field(max_length=TEXT_MAX)
    recommendation: str = Field(max_length=TEXT_MAX)
    answer_days: int | None = Field(
        None, ge=1, le=366, description="书面回复期限（日）；默认为本机关设置的期限"
    )


@router.post("/notices", response=CREATED, url_name="supervision_notice")
def create_notice(request: HttpRequest, data: NoticeIn) -> HttpStatus:
    """Issue a 督办通知书; the answer due date is returned."""
    petition = petition_for_user(_actor(request), data.petition)
    unit = _required_unit(data.supervising_unit)
    return _created(
        RecordKind.NOTICE,
        lambda: services.issue_notice(
            actor=_actor(request),
            petition=petition,
            supervising_unit=unit,
            reasons=data.reasons,
            recommendation=data.recommendation,
            answer_days=data.answer_days,
        ),
    )


class ListedIn(InputSchema):
    petition: Pk
    lead_leader: Pk | None = None
    responsible_unit: Pk | None = None
    responsible_person: Pk | None = None
    supervising_unit: Pk | None = None
    supervisor: Pk | None = None
    deadline: Day | None = None
    reason: str = Field(max_length=TEXT_MAX)


@router.post("/listed", response=CREATED, url_name="supervision_listed")
def create_listed(request: HttpRequest, data: ListedIn) -> HttpStatus:
    """挂牌督办 with the six fixed fields (each required)."""
    petition = petition_for_user(_actor(request), data.petition)
    return _created(
        RecordKind.LISTED,
        lambda: services.list_supervision(
            actor=_actor(request),
            petition=petition,
            lead_leader=_user(data.lead_leader),
            responsible_unit=_unit(data.responsible_unit),
            responsible_person=_user(data.responsible_person),
            supervising_unit=_unit(data.supervising_unit),
            supervisor=_user(data.supervisor),
            deadline=data.deadline,
            reason=data.reason,
        ),
    )


class OwnershipIn(InputSchema):
    petition: Pk
    leader: Pk
    note: str = Field("", max_length=TEXT_MAX)


@router.post("/ownerships", response=CREATED, url_name="supervision_ownership")
def create_ownership(request: HttpRequest, data: OwnershipIn) -> HttpStatus:
    """领导包案: a leader takes the matter personally."""
    petition = petition_for_user(_actor(request), data.petition)
    leader = _user(data.leader)
    if leader is None:
        raise SupervisionInvalid("包案领导不存在")
    return _created(
        RecordKind.OWNERSHIP,
        lambda: services.assign_case_owner(
            actor=_actor(request), petition=petition, leader=leader, note=data.note
        ),
    )


class InstructionIn(InputSchema):
    petition: Pk
    supervising_unit: Pk
    leader_name: str = Field(max_length=50)
    text: str = Field(max_length=TEXT_MAX)
    due: Day
    responsible_unit: Pk | None = None
    instructed_on: Day | None = None


@router.post("/instructions", response=CREATED, url_name="supervision_instruct")
def create_instruction(request: HttpRequest, data: InstructionIn) -> HttpStatus:
    """Record a leader's instruction on a matter, with its due date."""
    petition = petition_for_user(_actor(request), data.petition)
    unit = _required_unit(data.supervising_unit)
    return _created(
        RecordKind.INSTRUCTION,
        lambda: services.record_instruction(
            actor=_actor(request),
            petition=petition,
            supervising_unit=unit,
            leader_name=data.leader_name,
            text=data.text,
            due=data.due,
            responsible_unit=_unit(data.responsible_unit),
            instructed_on=data.instructed_on,
        ),
    )
