"""The staff REST API (django-ninja), OpenAPI schema at ``/api/schema/``.

Each app contributes a router in ``xinfang/<app>/api.py`` named ``router``; it is mounted
at ``/api/<app label>/``. Authentication: ``Authorization: Bearer <token>`` (staff API
tokens, see ``org.ApiToken``) or the signed-in session. Every endpoint starts from
``Model.objects.restrict(request.auth, …)`` and answers 404 alike for missing and forbidden.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from xinfang.core.errors import ConcurrentChange, InputInvalid, NotFoundOrForbidden, XinfangError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from xinfang.org.tokens import user_for_token

        return user_for_token(token)


class StaffSessionAuth(APIKeyCookie):
    """The signed-in session (CSRF checked for unsafe methods), staff accounts only."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not getattr(user, "is_citizen", False):
            return user
        return None


api = NinjaAPI(
    title="信访工作平台 API",
    version="1.0.0",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url=None,  # the Swagger page loads from a CDN; offline networks use the schema
    auth=[TokenAuth(), StaffSessionAuth()],
)


# Chinese wording of pydantic's commonest refusals; others keep pydantic's own text.
_MESSAGES = {
    "extra_forbidden": "不接受该参数",
    "missing": "缺少必填参数",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "须为整数",
    "less_than_equal": "数值过大",
    "greater_than_equal": "数值过小",
    "string_too_long": "内容过长",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "date_parsing": "须为日期（YYYY-MM-DD）",
}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with ninja's list of errors, each ``msg`` in Chinese where we know the type (an
    unknown key reads "不接受该参数" with the key in ``loc``)."""
    detail = [{**e, "msg": _MESSAGES.get(str(e.get("type")), e.get("msg", ""))} for e in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


# The domain's exceptions as HTTP statuses, most specific first; any other XinfangError is a
# refusal by a rule (400). Endpoints raise, never translate (one handler, issue 11).
_STATUSES: tuple[tuple[type[XinfangError], int], ...] = (
    (NotFoundOrForbidden, 404),
    (ConcurrentChange, 409),
    (InputInvalid, 422),
)


def status_for(exc: XinfangError) -> int:
    """The HTTP status answering ``exc``."""
    return next((status for kind, status in _STATUSES if isinstance(exc, kind)), 400)


@api.exception_handler(XinfangError)
def domain_error(request: HttpRequest, exc: XinfangError) -> HttpResponse:
    """A service's refusal: its status by :func:`status_for`, ``detail`` its Chinese message."""
    return api.create_response(request, {"detail": str(exc)}, status=status_for(exc))


def _mount_routers() -> None:
    # Named, not discovered: the API is the top of the import graph and says what it serves.
    from xinfang.assessment.api import router as assessment
    from xinfang.petitions.api import router as petitions
    from xinfang.statistics.api import router as statistics
    from xinfang.supervision.api import router as supervision

    api.add_router("/petitions/", petitions)
    api.add_router("/supervision/", supervision)
    api.add_router("/statistics/", statistics)
    api.add_router("/assessment/", assessment)


_mount_routers()
