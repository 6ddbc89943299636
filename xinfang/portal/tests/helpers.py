"""Helpers of the portal tests: a valid submission, answering a matter as staff."""

from __future__ import annotations

import re
import time
from typing import Any

from django.test import Client
from django.urls import reverse

from xinfang.org.models import Unit, User
from xinfang.petitions.choices import Outcome, Status
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.petitions.workflow import transition
from xinfang.portal.forms import make_form_token

PHONE = "13912345678"
ANSWER = {
    "outcome": Outcome.SUPPORT,
    "facts": "经查，反映的道路积水属实，已安排疏通。",
    "reasons": "道路排水属于镇政府职责范围。",
    "legal_basis": "《信访工作条例》第三十二条",
}
CODE_RE = re.compile(
    r'data-testid="query-code">([0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){6})<'
)


def submit_data(unit: Unit, **overrides: Any) -> dict[str, Any]:
    """A valid online petition addressed to ``unit``, rendered 10 seconds ago."""
    data: dict[str, Any] = {
        "name": "王某某",
        "phone": PHONE,
        "id_number": "",
        "address": "测试县人民路8号",
        "kind": "appeal",
        "matter_type": "0205",
        "receiving_unit": str(unit.pk),
        "place": "甲镇人民路",
        "summary": "人民路下水道堵塞，雨天积水严重",
        "full_text": "每逢下雨人民路积水没过脚踝，请求疏通下水道。",
        "website": "",
        "form_token": make_form_token(time.time() - 10),
    }
    data.update(overrides)
    return data


def submit(client: Client, unit: Unit, **overrides: Any) -> Any:
    return client.post(reverse("portal:submit"), submit_data(unit, **overrides))


def submit_and_read_code(client: Client, unit: Unit, **overrides: Any) -> str:
    response = submit(client, unit, **overrides)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    match = CODE_RE.search(page.content.decode())
    assert match, "the confirmation page shows the query code"
    return match.group(1)


def lookup(client: Client, code: str, phone: str = PHONE, **extra: Any) -> Any:
    return client.post(reverse("portal:lookup"), {"code": code, "phone": phone}, **extra)


def registered(
    unit: Unit, *, phone: str = PHONE, summary: str = "反映道路积水"
) -> tuple[Petition, str]:
    """A matter submitted online (through the service, as the portal does)."""
    reg = register_petition(
        actor=None,
        registering_unit=unit,
        channel="online",
        kind="appeal",
        summary=summary,
        petitioners=[PetitionerData(name="李某", phone=phone)],
        propose_matches=False,
    )
    return reg.petition, reg.query_code


def answer(petition: Petition, handler: User, leader: User) -> Petition:
    """Accept and answer as the responsible unit's staff."""
    petition = transition(petition, Status.ACCEPTED, actor=handler, notice="已受理")
    return transition(petition, Status.ANSWERED, actor=leader, **ANSWER)


def csrf_free(html: str) -> str:
    """The page without its per-render CSRF token (to compare two responses)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
