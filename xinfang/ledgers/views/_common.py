"""Helpers shared by the ledger pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

from xinfang.core import audit
from xinfang.core.errors import XinfangError
from xinfang.core.models import AuditAction
from xinfang.ledgers.xlsx import XLSX_MIME, write_xlsx
from xinfang.org.choices import Role
from xinfang.org.models import Unit

PAGE_SIZE = 50
STAFF_ROLES: tuple[str, ...] = tuple(Role.values)
WRITE_ROLES = (Role.HANDLER, Role.UNIT_LEADER)
LEAD_ROLES = (Role.UNIT_LEADER, Role.ADMINISTRATOR)
DUTY_ROLES = (Role.DUTY_OFFICER, Role.UNIT_LEADER)
CHECK_ROLES = (Role.HANDLER, Role.UNIT_LEADER, Role.SUPERVISOR)


def paginate(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def query_string(request: HttpRequest) -> str:
    """The current filters without ``page``, for pagination and export links."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def visible_units(request: HttpRequest, action: str = "view") -> Any:
    return Unit.objects.restrict(request.user, action).filter(is_active=True).order_by("path")


def xlsx_response(
    request: HttpRequest,
    *,
    filename: str,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    what: str,
) -> HttpResponse:
    """An xlsx download; the export itself is an audited event."""
    body = write_xlsx(sheet, headers, rows)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type=f"ledgers.{what}",
        detail={"query": request.GET.urlencode(), "bytes": len(body)},
    )
    response = HttpResponse(body, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def flash_error(request: HttpRequest, exc: XinfangError) -> None:
    messages.error(request, str(exc))
