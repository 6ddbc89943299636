"""REST API of supervision, mounted at ``/api/supervision/``.

Scoped like the pages (``<Model>.objects.restrict(_actor(request), "view")``; 404 alike for
missing and forbidden matters); the create endpoints call the same services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.errors import HttpError
from pydantic import Field

from xinfang.core.errors import XinfangError
from xinfang.org.models import Unit, User
from xinfang.petitions.models import Petition
from xinfang.petitions.querysets import petition_for_user
from xinfang.supervision import services
from xinfang.supervision.choices import RecordKind
from xinfang.supervision.views import CREATE_SERVICES, MODELS, _due, _scoped, by_state, timing

router = Router(tags=["督查督办"])

MAX_LIMIT = 100


class RecordOut(Schema):
    id: int
    kind: str
    petition: int
    petition_number: str | None
    supervising_unit: str
    responsible_unit: str
    status: str
    due: date | None
    due_not_before: date | None = Field(
        None, description="期限待定时(当年节假日安排未录入),期限最早可能的日期"
    )
    overdue: bool
    text: str


class RecordPage(Schema):
    count: int
    items: list[RecordOut]


class ListFilter(Schema):
    kind: str = RecordKind.NOTICE
    state: str = Field("open", pattern="^(open|overdue|all)$")
    offset: int = Field(0, ge=0)
    limit: int = Field(25, ge=1, le=MAX_LIMIT)


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
        raise HttpError(400, "未知的督办类别")
    today = timezone.localdate()
    qs = by_state(_scoped(kind, _actor(request)), f.state, today).order_by("pk")
    return {
        "count": qs.count(),
        "items": [_out(r, kind, today) for r in qs[f.offset : f.offset + f.limit]],
    }


@router.get("/", response=RecordPage, url_name="supervision_list")
def list_records(request: HttpRequest, filters: Query[ListFilter]) -> dict[str, Any]:
    """Supervision records in scope: ``kind`` = reminder / notice / listed / ownership."""
    return _page(filters.kind, request, filters)


@router.get("/instructions", response=RecordPage, url_name="supervision_instructions")
def list_instructions(request: HttpRequest, filters: Query[ListFilter]) -> dict[str, Any]:
    """Leaders' instructions in scope, with due date and overdue flag."""
    return _page(RecordKind.INSTRUCTION, request, filters)


class Created(Schema):
    id: int
    kind: str
    due: date | None
    due_not_before: date | None = None


def _unit(pk: int | None) -> Unit | None:
    return Unit.objects.filter(pk=pk, is_active=True).first() if pk else None


def _user(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def _create(
    request: HttpRequest, kind: str, petition: Petition, data: Schema, **resolved: Any
) -> HttpStatus:
    """Call the kind's service with the schema's fields (``petition`` and the ids given
    ``resolved`` as objects); a service's refusal is a 400 with its Chinese message."""
    fields = {**data.model_dump(exclude={"petition"}), **resolved}
    try:
        record = CREATE_SERVICES[kind](actor=_actor(request), petition=petition, **fields)
    except XinfangError as exc:
        raise HttpError(400, str(exc)) from exc
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
        raise HttpError(400, "单位不存在")
    return unit


class ReminderIn(Schema):
    petition: int
    supervising_unit: int
    note: str
    reply_due: date | None = None


@router.post("/reminders", response={201: Created}, url_name="supervision_remind")
def create_reminder(request: HttpRequest, data: ReminderIn) -> HttpStatus:
    """催办 a matter."""
    petition = petition_for_user(_actor(request), data.petition)
    unit = _required_unit(data.supervising_unit)
    return _create(request, RecordKind.REMINDER, petition, data, supervising_unit=unit)


class NoticeIn(Schema):
    petition: int
    supervising_unit: int
    reasons: str
    recommendation: str
    answer_days: int = services.NOTICE_ANSWER_DAYS


@router.post("/notices", response={201: Created}, url_name="supervision_notice")
def create_notice(request: HttpRequest, data: NoticeIn) -> HttpStatus:
    """Issue a 督办通知书; the answer due date is returned."""
    petition = petition_for_user(_actor(request), data.petition)
    unit = _required_unit(data.supervising_unit)
    return _create(request, RecordKind.NOTICE, petition, data, supervising_unit=unit)


class ListedIn(Schema):
    petition: int
    lead_leader: int | None = None
    responsible_unit: int | None = None
    responsible_person: int | None = None
    supervising_unit: int | None = None
    supervisor: int | None = None
    deadline: date | None = None
    reason: str


@router.post("/listed", response={201: Created}, url_name="supervision_listed")
def create_listed(request: HttpRequest, data: ListedIn) -> HttpStatus:
    """挂牌督办 with the six fixed fields (each required)."""
    petition = petition_for_user(_actor(request), data.petition)
    return _create(
        request,
        RecordKind.LISTED,
        petition,
        data,
        lead_leader=_user(data.lead_leader),
        responsible_unit=_unit(data.responsible_unit),
        responsible_person=_user(data.responsible_person),
        supervising_unit=_unit(data.supervising_unit),
        supervisor=_user(data.supervisor),
    )


class OwnershipIn(Schema):
    petition: int
    leader: int
    note: str = ""


@router.post("/ownerships", response={201: Created}, url_name="supervision_ownership")
def create_ownership(request: HttpRequest, data: OwnershipIn) -> HttpStatus:
    """领导包案: a leader takes the matter personally."""
    petition = petition_for_user(_actor(request), data.petition)
    leader = _user(data.leader)
    if leader is None:
        raise HttpError(400, "包案领导不存在")
    return _create(request, RecordKind.OWNERSHIP, petition, data, leader=leader)


class InstructionIn(Schema):
    petition: int
    supervising_unit: int
    leader_name: str
    text: str
    due: date
    responsible_unit: int | None = None
    instructed_on: date | None = None


@router.post("/instructions", response={201: Created}, url_name="supervision_instruct")
def create_instruction(request: HttpRequest, data: InstructionIn) -> HttpStatus:
    """Record a leader's instruction on a matter, with its due date."""
    petition = petition_for_user(_actor(request), data.petition)
    unit = _required_unit(data.supervising_unit)
    return _create(
        request,
        RecordKind.INSTRUCTION,
        petition,
        data,
        supervising_unit=unit,
        responsible_unit=_unit(data.responsible_unit),
    )
