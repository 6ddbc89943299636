"""Failures that are not the caller's fault, or not a server bug, answered as such.

* The database is unreachable (PostgreSQL restarting, a dropped connection) or SQLite is
  still locked after its busy timeout: ``503`` with ``Retry-After``, so that clients and
  the reverse proxy retry instead of reporting a crash. Nothing was written: the request's
  transaction, if any, rolled back with the failed connection.
* A stored personal-data ciphertext does not authenticate (tampered or damaged):
  ``422`` with a Chinese explanation; the value is not shown and the failure is logged.
* A number beyond a 64-bit integer in the path or the query string (``?page=``,
  ``?offset=``, ``/petitions/<pk>/``): ``400`` before any view turns it into SQL, where it
  would overflow the column type (SQLite raises ``OverflowError``, PostgreSQL a
  ``DataError``).

API paths (``/api/``) answer JSON ``{"detail": …}``; Open311 paths answer GeoReport errors
(``[{code, description}]``); every other path a small HTML page.

:func:`server_error` is the ``handler500``: it covers exceptions that escape a middleware
(a session save during an outage) rather than a view, where ``process_exception`` cannot
see them.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

from xinfang.core.errors import TamperedCiphertext

__all__ = ["RETRY_AFTER_SECONDS", "OutageMiddleware", "server_error"]

logger = logging.getLogger(__name__)

# A PostgreSQL restart takes a few seconds; a SQLite writer holds its lock for milliseconds.
RETRY_AFTER_SECONDS = 10
INT64_MAX = 2**63 - 1

_DIGITS = re.compile(r"[+-]?\d+")
_OUTAGE = "系统暂时无法访问数据库，请稍后重试。您的操作未被保存。"
_TAMPERED = "该条个人信息的密文已损坏或被篡改，无法解密显示。此事已记录，请联系系统管理员核查。"
_TOO_LARGE = "请求中的数字超出允许范围。"


def _too_large(value: str) -> bool:
    return bool(_DIGITS.fullmatch(value.strip())) and abs(int(value)) > INT64_MAX


def oversized_number(request: HttpRequest) -> bool:
    """Whether a path segment or a query value is an integer a database column cannot hold."""
    if any(_too_large(part) for part in request.path.split("/") if part):
        return True
    return any(_too_large(v) for values in request.GET.lists() for v in values[1])


# Other protocols answer failures in their own format (Open311's error documents, from the
# portal app's ready()); core knows them only by path prefix, never by import.
ErrorRenderer = Callable[[HttpRequest, int, str], HttpResponse]
_RENDERERS: dict[str, ErrorRenderer] = {}


def register_error_renderer(prefix: str, render: ErrorRenderer) -> None:
    """Answer failures under ``prefix`` with ``render(request, status, message)``."""
    _RENDERERS[prefix] = render


def _respond(request: HttpRequest, status: int, message: str, title: str) -> HttpResponse:
    path = request.path
    response: HttpResponse
    renderer = next((r for p, r in _RENDERERS.items() if path.startswith(p)), None)
    if path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    elif renderer is not None:
        response = renderer(request, status, message)
    else:
        html = render_to_string(
            "core/failure.html", {"title": title, "message": message, "status": status}
        )
        response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def outage_response(request: HttpRequest) -> HttpResponse:
    response = _respond(request, 503, _OUTAGE, "服务暂时不可用")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def response_for(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The answer to one of the failures above, or None for a genuine server error."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable on %s: %s", request.path, exc)
        return outage_response(request)
    if isinstance(exc, TamperedCiphertext):
        logger.error("personal-data ciphertext failed authentication on %s", request.path)
        return _respond(request, 422, _TAMPERED, "个人信息无法解密")
    if isinstance(exc, OverflowError):
        return _respond(request, 400, _TOO_LARGE, "请求有误")
    return None


class OutageMiddleware:
    """Turns database outages, tampered ciphertexts and oversized numbers into 503/422/400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if oversized_number(request):
            return _respond(request, 400, _TOO_LARGE, "请求有误")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        return response_for(request, exc)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: an outage raised outside a view still answers 503, not 500."""
    exc = sys.exc_info()[1]
    if exc is not None and (response := response_for(request, exc)) is not None:
        return response
    return django_server_error(request)
