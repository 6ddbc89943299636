"""Finding matters by their petitioner: name, phone or ID number.

A phone or ID number is matched by its keyed digest (``ProtectedField``: the plain value
is never stored), a name exactly. The term is personal data and never travels in a query
string, which lands in every access and proxy log (个人信息保护法 Art. 51): the search form
posts it, and the matter list, its pages and the register export carry it sealed
(``who=<token>``, encrypted with the data keys). Only petitioners the searcher may see are
matched (``Petitioner.objects.restrict``: a confidential petitioner stays hidden from
those who do not need the identity), and every search is audited by its kind, never its
value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q

from xinfang.core import audit, crypto
from xinfang.core.errors import PersonalDataError, XinfangError
from xinfang.core.models import AuditAction
from xinfang.core.personal_data import digest_for
from xinfang.petitions.models import Petitioner

__all__ = ["PersonQuery", "matters_of", "open_query", "parse_query", "record_search", "seal_query"]

SearchKind = Literal["name", "phone", "id_number"]
KIND_LABELS = {"name": "姓名", "phone": "联系电话", "id_number": "身份证号"}

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_PHONE_LIKE = re.compile(r"^\+?[\d\-()()\s]{5,20}$")


@dataclass(frozen=True)
class PersonQuery:
    """A parsed search: the kind, and the value matched (a digest, or the name)."""

    kind: SearchKind
    value: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def parse_query(text: str) -> PersonQuery:
    """``text`` as a name, a phone or an ID number (raises ``PersonalDataError`` on a
    malformed phone or ID number, with its Chinese message)."""
    term = text.strip()
    if not term:
        raise PersonalDataError("请输入信访人姓名、联系电话或身份证号")
    if _ID_LIKE.match(term):
        return PersonQuery("id_number", digest_for("id_number", term))
    if _PHONE_LIKE.match(term) and any(ch.isdigit() for ch in term):
        return PersonQuery("phone", digest_for("phone", term))
    if len(term) > 50:
        raise PersonalDataError("姓名过长")
    return PersonQuery("name", term)


def seal_query(query: PersonQuery) -> str:
    """The query as an opaque token for the list's query string."""
    return crypto.seal(json.dumps({"k": query.kind, "v": query.value}, ensure_ascii=False))


def open_query(token: str) -> PersonQuery | None:
    """The query a token carries, or ``None`` for a token that is not one of ours."""
    try:
        data = json.loads(crypto.open_(token))
    except (XinfangError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("k") not in KIND_LABELS:
        return None
    return PersonQuery(data["k"], str(data.get("v", "")))


def _petitioner_q(query: PersonQuery) -> Q:
    if query.kind == "name":
        return Q(name=query.value)
    return Q(**{f"{query.kind}_digest": query.value})


def matters_of(qs: Any, query: PersonQuery, user: Any) -> Any:
    """``qs`` (scoped matters) narrowed to those with a petitioner matching ``query`` whom
    ``user`` may see."""
    people = Petitioner.objects.restrict(user, "view").filter(_petitioner_q(query))
    return qs.filter(pk__in=people.values("petition_id"))


@transaction.atomic
def record_search(user: Any, query: PersonQuery) -> None:
    """Audit a search for a person (its kind; the term itself is not written)."""
    audit.record(
        actor=user,
        action=AuditAction.PII_READ,
        object_type="petitions.petitioner",
        detail={"search": query.kind},
    )
