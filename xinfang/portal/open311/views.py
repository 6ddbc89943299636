"""The GeoReport v2 endpoints (``/open311/v2/…``), each in XML and JSON.

Reads are public (the feed is the projection in :mod:`.feed`); ``POST requests`` needs an
``api_key`` issued to an :class:`~xinfang.portal.models.Open311Client`. Errors follow the
spec: an array of ``{code, description}`` with HTTP 400, 403 or 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.core.middleware import client_ip
from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.models import Petition
from xinfang.portal.models import OfficeProfile
from xinfang.portal.open311.create import Open311Error, create_request, refuse_nul
from xinfang.portal.open311.feed import (
    CLOSED_STATUSES,
    SERVICE_NOTICE,
    project,
    public_matters,
    public_services,
    service_description,
)
from xinfang.portal.open311.render import errors_response, iso, respond
from xinfang.portal.ratelimit import SUBMIT_PER_IP
from xinfang.portal.services import client_for_key

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this implementation last changed in a way clients should notice.
CHANGESET = datetime.fromisoformat("2026-03-01T00:00:00+08:00")
DEFAULT_DAYS = 90
MAX_DAYS = 90
MAX_RESULTS = 1000
JURISDICTION_LEVELS = (UnitLevel.PROVINCE, UnitLevel.CITY, UnitLevel.COUNTY)


def _params(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _jurisdiction(request: HttpRequest) -> Unit | None:
    """The unit named by ``jurisdiction_id`` (its administrative code), if one is given."""
    raw = (_params(request).get("jurisdiction_id") or "").strip()
    if not raw:
        return None
    unit = (
        Unit.objects.filter(admin_code=raw, is_active=True, level__in=JURISDICTION_LEVELS)
        .order_by("depth")
        .first()
    )
    if unit is None:
        raise Open311Error(404, f"jurisdiction_id {raw} 不存在")
    return unit


def _guard(view: Any) -> Any:
    """Turn :class:`Open311Error` into the spec's error document."""

    def wrapped(request: HttpRequest, fmt: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            refuse_nul(request)
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return errors_response(fmt, exc.status, exc.descriptions)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_guard
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where the GeoReport v2 endpoint is and what it speaks."""
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0]
    payload = {
        "changeset": iso(CHANGESET),
        "contact": "请联系本级信访工作机构",
        "key_service": "api_key 由系统管理员签发（xinfang create_open311_client）",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": iso(CHANGESET),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", payload)


def _service(mt: Any) -> dict[str, Any]:
    return {
        "service_code": mt.code,
        "service_name": mt.name,
        "description": service_description(mt),
        "metadata": True,
        "type": "batch",
        "keywords": mt.name,
        "group": mt.parent.name if mt.parent else None,
    }


@require_GET
@_guard
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """The service list: one service per matter type (``service_code`` = its code)."""
    _jurisdiction(request)
    return respond(fmt, "services", [_service(mt) for mt in public_services()])


ATTRIBUTES: list[dict[str, Any]] = [
    {
        "variable": True,
        "code": "kind",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 1,
        "description": "信访类别（默认申诉求决类）。检举控告请通过网上信访页面或纪检监察机关提出。",
        "values": [
            {"key": "appeal", "name": "申诉求决类"},
            {"key": "suggestion", "name": "建议意见类"},
        ],
    },
    {
        "variable": True,
        "code": "confidential",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 2,
        "description": "信访人是否要求对姓名和个人信息保密（默认否）",
        "values": [{"key": "no", "name": "否"}, {"key": "yes", "name": "是"}],
    },
]


@require_GET
@_guard
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """The attributes a request of this service may carry."""
    _jurisdiction(request)
    if not public_services().filter(code=code).exists():
        raise Open311Error(404, f"service_code {code} 不存在")
    return respond(fmt, "service_definition", {"service_code": code, "attributes": ATTRIBUTES})


def _when(raw: str, name: str) -> datetime:
    text = raw.strip()
    # A "+" in a query string arrives as a space ("…T00:00:00 08:00").
    if " " in text and text.rsplit(" ", 1)[1][:2].isdigit() and "T" in text:
        head, tail = text.rsplit(" ", 1)
        text = f"{head}+{tail}"
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        day = parse_date(text) if len(text) == 10 else None
        if day is None:
            raise Open311Error(400, f"{name} 不是有效的 ISO 8601 日期时间")
        value = datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _filtered(request: HttpRequest) -> QuerySet[Petition]:
    params = request.GET
    matters = public_matters()
    unit = _jurisdiction(request)
    if unit is not None:
        matters = matters.filter(subtree_q(unit.path, "registering_unit__path"))
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        # A list of ids overrides every other argument (GeoReport v2).
        return matters.filter(number__in=ids[:MAX_RESULTS])
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    if codes:
        matters = matters.filter(matter_type__code__in=codes)
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能是 open 或 closed（可用逗号分隔）")
    if statuses == {"open"}:
        matters = matters.exclude(status__in=CLOSED_STATUSES)
    elif statuses == {"closed"}:
        matters = matters.filter(status__in=CLOSED_STATUSES)
    start_raw, end_raw = params.get("start_date") or "", params.get("end_date") or ""
    window = timedelta(days=DEFAULT_DAYS)
    start = _when(start_raw, "start_date") if start_raw.strip() else None
    end = _when(end_raw, "end_date") if end_raw.strip() else None
    if start is None:
        end = end or timezone.now()
        start = end - window
    elif end is None:
        end = start + window
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date")
    if end - start > timedelta(days=MAX_DAYS):
        raise Open311Error(400, f"start_date 与 end_date 的跨度不能超过{MAX_DAYS}天")
    return matters.filter(created_at__gte=start, created_at__lte=end)


@csrf_exempt  # an API called with an api_key, not a browser form
@require_http_methods(["GET", "POST"])
@_guard
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the public request list (at most 1000, newest first). POST: create a request."""
    if request.method == "POST":
        return _create(request, fmt)
    rows = list(_filtered(request).order_by("-pk")[:MAX_RESULTS])
    return respond(fmt, "service_requests", [r.as_dict() for r in project(rows)])


def _anonymous_office(jurisdiction: Unit | None) -> Unit | None:
    """The petition office that takes anonymous requests for ``jurisdiction``, if its
    office allows them (``OfficeProfile.open311_anonymous``)."""
    if jurisdiction is None:
        return None
    profile = (
        OfficeProfile.objects.filter(open311_anonymous=True, unit__is_active=True)
        .filter(subtree_q(jurisdiction.path, "unit__path"))
        .select_related("unit")
        .order_by("unit__depth", "order", "pk")
        .first()
    )
    return profile.unit if profile is not None else None


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    # The api_key may come in the body or, as the published swagger and most clients
    # send it, in the query string.
    key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    jurisdiction = _jurisdiction(request)
    client = client_for_key(key) if key else None
    office = None
    if client is None:
        office = None if key else _anonymous_office(jurisdiction)
        if office is None:
            raise Open311Error(403, "api_key 无效或缺失")
        if SUBMIT_PER_IP.hit(client_ip(request) or "unknown") > SUBMIT_PER_IP.count:
            raise Open311Error(429, "提交过于频繁，请稍后再试")
    elif jurisdiction is not None and not client.unit.path.startswith(jurisdiction.path):
        raise Open311Error(400, "该 api_key 不属于此 jurisdiction_id")
    created = create_request(client, request.POST, request.headers, unit=office)
    payload = [
        {
            "service_request_id": created.service_request_id,
            "service_notice": SERVICE_NOTICE,
            "account_id": None,
            # Extension: the citizen's query code (portal lookup with the phone), only
            # to a trusted client, which hands it to the petitioner; never in any feed.
            **({"query_code": created.query_code} if created.query_code else {}),
        }
    ]
    return respond(fmt, "service_requests", payload)


@require_GET
@_guard
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """One request of the public feed (as a list of one, like the spec's examples)."""
    unit = _jurisdiction(request)
    matters = public_matters().filter(number=request_id)
    if unit is not None:
        matters = matters.filter(subtree_q(unit.path, "registering_unit__path"))
    rows = list(matters[:1])
    if not rows:
        raise Open311Error(404, f"service_request_id {request_id} 不存在")
    return respond(fmt, "service_requests", [r.as_dict() for r in project(rows)])
