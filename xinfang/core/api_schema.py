"""Shared pieces of the REST API: input base, bounded integers, error responses.

- :class:`InputSchema` — the base of every request body: unknown keys are refused (422), so
  a body can never carry more than the operation declares into a service (issue 10,
  finding 1).
- :data:`Pk`, :data:`Offset`, :data:`Limit`, :data:`Days` — bounded integers: a value no
  database column can hold is a 422, not an overflow deep in the driver (a 500);
  :data:`Day` — a date the legal calendar can count from (year 1 overflowed a date sum).
- :class:`QuerySchema` — the base of query-string filters.
- :func:`errors` — the documented error statuses of an operation, for ``response={...}``.

Both bases refuse NUL characters anywhere in a string (422): PostgreSQL cannot store or
compare them and answered such a request with a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from ninja import P, PathEx, Schema
from pydantic import ConfigDict, Field, field_validator

__all__ = [
    "MAX_LIMIT",
    "MAX_OFFSET",
    "PK_MAX",
    "Day",
    "Days",
    "ErrorOut",
    "InputSchema",
    "Limit",
    "Offset",
    "PathPk",
    "Pk",
    "QuerySchema",
    "ValidationErrorOut",
    "errors",
    "refuse_nul",
]

PK_MAX = 2**31 - 1  # an integer key both SQLite and PostgreSQL compare without overflow
MAX_OFFSET = 1_000_000  # deeper than any scope holds; beyond it a filter is the way
MAX_LIMIT = 100

Pk = Annotated[int, Field(ge=1, le=PK_MAX)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Days = Annotated[int, Field(ge=0, le=366)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]
PathPk = PathEx[int, P(ge=1, le=PK_MAX)]


NUL_REFUSED = "不能包含空字符（\\x00）"


def refuse_nul(value: Any) -> Any:
    """``value`` itself; ``ValueError`` when a string in it (also inside lists and dicts,
    keys included) holds a NUL character."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(NUL_REFUSED)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item)
    return value


class QuerySchema(Schema):
    """Query-string parameters: strings without NUL."""

    _no_nul = field_validator("*")(refuse_nul)


class InputSchema(QuerySchema):
    """A request body: unknown keys are refused with 422, strings without NUL."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    """An error with a Chinese message (400 refused by a rule, 401, 404, 409)."""

    detail: str


class ValidationErrorOut(Schema):
    """422: the request does not match the schema (ninja's list of errors), or a step's
    input has an unknown key (a Chinese message)."""

    detail: str | list[dict[str, Any]]


_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The error responses ``codes`` for an operation's ``response={...}``; 400 (a number in
    the URL beyond 64 bits, refused before any view by ``core.outage``), 401 (no or bad
    credentials) and 422 (invalid request) are always included."""
    return {code: _ERRORS[code] for code in sorted({400, 401, 422, *codes})}
