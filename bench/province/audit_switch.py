"""Bench-only: choose the audit chain's hash per request, for ``bench/audit_chain``.

A request with ``X-Bench-Audit: unkeyed`` appends entries hashed the way the chain was
before issue 10 (SHA-256, ``xinfang.core.audit_v1``); any other
request uses the product's HMAC-SM3. One server then serves both modes, so a comparison is
not skewed by which server process happened to be faster (two identical servers differed
by 12–17% on the shared machine). Installed by ``bench_settings`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from xinfang.core import audit, audit_v1

_unkeyed: ContextVar[bool] = ContextVar("bench_audit_unkeyed", default=False)
_keyed_hash = audit.compute_hash
_legacy_hash = audit_v1.entry_hash


def compute_hash(entry: Any, prev_hash: str) -> str:
    return _legacy_hash(entry, prev_hash) if _unkeyed.get() else _keyed_hash(entry, prev_hash)


class AuditSwitchMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        audit.compute_hash = compute_hash  # type: ignore[assignment]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _unkeyed.set(request.headers.get("X-Bench-Audit") == "unkeyed")
        try:
            return self.get_response(request)
        finally:
            _unkeyed.reset(token)
