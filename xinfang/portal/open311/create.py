"""Creating a matter from an Open311 ``POST requests`` (durable and idempotent).

The request is checked here (api_key, service code, location, description, name, phone,
attributes) and then registered by ``xinfang.petitions.services.register_petition`` as an
online matter of the client's unit, in one transaction: the response is sent only after
the matter is committed. With an ``idempotency_key`` (form field or ``Idempotency-Key``
header) a retry returns the first matter's ``service_request_id``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import QueryDict

from xinfang.core import audit
from xinfang.core.errors import PersonalDataError, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.core.personal_data import normalize_phone
from xinfang.org.models import Unit
from xinfang.petitions.choices import Kind
from xinfang.petitions.errors import PetitionError
from xinfang.petitions.linking import propose_candidates_after_commit
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.portal.models import Open311Client
from xinfang.portal.open311.feed import public_services
from xinfang.portal.services import send_query_code

__all__ = ["Created", "Open311Error", "create_request", "refuse_nul", "visible"]

MAX_DESCRIPTION = 4000  # the request schema's maxLength
_IDEMPOTENCY_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
KIND_VALUES = {"appeal": Kind.APPEAL, "suggestion": Kind.SUGGESTION}


class Open311Error(Exception):
    """A request Open311 refuses: ``status`` (400/403/404) and Chinese descriptions."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)


@dataclass(frozen=True)
class Created:
    service_request_id: str
    query_code: str
    created: bool


def refuse_nul(request: Any) -> None:
    """NUL bytes in any parameter are refused: no text field holds one (PostgreSQL cannot
    store it, and other systems truncate at it)."""
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise Open311Error(400, f"参数 {key.replace(chr(0), '')} 含有空字符（NUL）")


def visible(text: str) -> str:
    """``text`` without surrounding white space and invisible format characters (zero-width
    spaces and joiners, BOM, direction marks: Unicode category Cf), for the emptiness check:
    a name of zero-width spaces is no name."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def _attributes(data: QueryDict) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in data:
        match = re.fullmatch(r"attribute\[([A-Za-z0-9_]+)\](\[\])?", key)
        if match:
            out[match.group(1)] = data.get(key, "").strip()
    return out


def _coordinate(raw: str, name: str, bound: float) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} 不是有效的数字") from exc
    if not math.isfinite(value) or abs(value) > bound:
        raise Open311Error(400, f"{name} 超出范围")
    return value


def idempotency_key_from(data: QueryDict, headers: Any) -> str | None:
    key = (data.get("idempotency_key") or headers.get("Idempotency-Key") or "").strip()
    if not key:
        return None
    if not _IDEMPOTENCY_RE.match(key):
        raise Open311Error(400, "idempotency_key 只能包含字母、数字和 _ . : -，不超过64个字符")
    return key


@transaction.atomic
def create_request(
    client: Open311Client | None, data: QueryDict, headers: Any, *, unit: Unit | None = None
) -> Created:
    """Register the matter an Open311 client submits (``client``), or an anonymous request
    to a jurisdiction that allows them (``unit``: its petition office); raise
    :class:`Open311Error`. A client not marked trusted, and an anonymous caller, never get
    the query code: it goes to the petitioner's phone by SMS (through the outbox)."""
    unit = client.unit if client is not None else unit
    if unit is None:
        raise Open311Error(403, "api_key 无效或缺失")
    sender = f"{client.pk}" if client is not None else f"anonymous-{unit.pk}"
    problems: list[str] = []
    code = (data.get("service_code") or "").strip()
    matter_type = public_services().filter(code=code).first() if code else None
    if not code:
        problems.append("缺少 service_code")
    elif matter_type is None:
        problems.append(f"service_code {code} 不存在")
    lat = _coordinate(data.get("lat", ""), "lat", 90)
    lon = _coordinate(data.get("long", ""), "long", 180)
    address = (data.get("address_string") or "").strip()[:200]
    address_id = (data.get("address_id") or "").strip()[:60]
    if not address and not address_id and (lat is None or lon is None):
        problems.append("须提供位置：lat 和 long、address_string 或 address_id 之一")
    description = (data.get("description") or "").strip()
    if not visible(description):
        problems.append("缺少 description（诉求内容）")
    elif len(description) > MAX_DESCRIPTION:
        problems.append(f"description 不得超过{MAX_DESCRIPTION}字")
    name = f"{(data.get('last_name') or '').strip()}{(data.get('first_name') or '').strip()}"
    if not visible(name):
        problems.append("缺少信访人姓名（last_name / first_name）")
    elif len(name) > 50:
        problems.append("姓名过长")
    phone = (data.get("phone") or "").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except PersonalDataError as exc:
            problems.append(str(exc))
    attributes = _attributes(data)
    kind_raw = attributes.get("kind") or "appeal"
    kind = KIND_VALUES.get(kind_raw)
    if kind is None:
        problems.append(
            "attribute[kind] 只能是 appeal 或 suggestion;"
            "检举控告请通过网上信访页面或纪检监察机关提出"
        )
    confidential = attributes.get("confidential", "no")
    if confidential not in ("yes", "no"):
        problems.append("attribute[confidential] 只能是 yes 或 no")
    key = idempotency_key_from(data, headers)
    if problems or matter_type is None or kind is None:
        raise Open311Error(400, *problems)
    place = address or (f"地址编号 {address_id}" if address_id else f"坐标 {lat:.6f},{lon:.6f}")
    summary = description.splitlines()[0][:200]
    try:
        registration = register_petition(
            actor=None,
            registering_unit=unit,
            channel="online",
            kind=kind,
            summary=summary,
            full_text=description,
            matter_type=matter_type,
            place=place,
            lat=lat if lon is not None else None,
            lon=lon if lat is not None else None,
            petitioners=[
                PetitionerData(name=name, phone=phone, wants_confidentiality=confidential == "yes")
            ],
            source_reference=f"Open311 #{client.pk}" if client is not None else "Open311 匿名",
            idempotency_key=f"open311:{sender}:{key}" if key else None,
            # The same-matter search runs after commit, off the client's request.
            propose_matches=False,
        )
        if registration.created:
            propose_candidates_after_commit(registration.petition)
    except (PetitionError, TransitionNotAllowed) as exc:
        raise Open311Error(400, str(exc)) from exc
    trusted = client is not None and client.trusted
    if registration.created:
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            obj=registration.petition,
            detail={
                "open311_client": client.pk if client is not None else None,
                "client_name": client.name if client is not None else "匿名",
            },
        )
        if not trusted and phone:
            send_query_code(registration.petition, registration.query_code)
    return Created(
        service_request_id=str(registration.petition.number),
        query_code=registration.query_code if trusted else "",
        created=registration.created,
    )
