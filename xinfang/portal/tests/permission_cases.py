"""Permission cases of every portal and Open311 route: all public (anonymous="public").

The matrix still runs them as a granted staff member and as one of another unit: the public
pages must work for signed-in staff too. No marker: nothing on these pages is private to a
unit (the citizen's matter page needs a lookup first, so staff are sent to the lookup).
"""

from __future__ import annotations

from typing import Any

from xinfang.org.choices import Role
from xinfang.petitions.models import MatterType
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.portal.services import issue_open311_client
from xinfang.shell.testing import Cast, RouteCase, register

PUBLIC: dict[str, Any] = {"role": Role.HANDLER, "anonymous": "public"}


def _json(_obj: Any) -> dict[str, str]:
    return {"fmt": "json"}


def _public_matter(cast: Cast) -> Any:
    return register_petition(
        actor=None,
        registering_unit=cast.unit_a,
        channel="online",
        kind="appeal",
        summary="矩阵公开事项",
        matter_type=MatterType.objects.get(code="0205"),
        petitioners=[PetitionerData(name="矩阵信访人", phone="13911113333")],
        propose_matches=False,
    ).petition


def _client_key(cast: Cast) -> str:
    return issue_open311_client(actor=None, name="矩阵接入", unit=cast.unit_a)[1]


def _create_data(key: str) -> dict[str, str]:
    return {
        "api_key": key,
        "service_code": "0205",
        "address_string": "甲镇",
        "description": "矩阵诉求",
        "last_name": "矩",
        "first_name": "阵",
    }


def _pk(obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


register(
    RouteCase("portal:code_replace", **PUBLIC),
    RouteCase(
        "portal:code_replace",
        id="portal:code_replace-post",
        method="post",
        data=lambda _o: {"number": "XF20260000001", "phone": "13911113333"},
        **PUBLIC,
    ),
    # Staff and visitors are told to sign in as a citizen; nothing is listed.
    RouteCase("portal:my_matters", **PUBLIC),
    RouteCase("portal:phone_code_send", method="post", ok_status=302, **PUBLIC),
    RouteCase("portal:phone_code_confirm", method="post", ok_status=302, **PUBLIC),
    RouteCase(
        "portal:public_title_edit",
        role=Role.HANDLER,
        make=_public_matter,
        kwargs=_pk,
        marker=lambda p: p.number,
    ),
    RouteCase("portal:home", **PUBLIC),
    RouteCase("portal:submit", **PUBLIC),
    RouteCase("portal:submitted", **PUBLIC),
    RouteCase("portal:lookup", **PUBLIC),
    # Without a verified lookup in the session everyone is sent to the lookup page.
    RouteCase("portal:matter", ok_status=302, **PUBLIC),
    RouteCase("portal:rate", method="post", ok_status=302, **PUBLIC),
    RouteCase("portal:review", method="post", ok_status=302, **PUBLIC),
    RouteCase("portal:leave", method="post", ok_status=302, **PUBLIC),
    RouteCase("open311:discovery", kwargs=_json, **PUBLIC),
    RouteCase("open311:services", kwargs=_json, **PUBLIC),
    RouteCase("open311:service", kwargs=lambda _o: {"fmt": "xml", "code": "0205"}, **PUBLIC),
    RouteCase("open311:requests", kwargs=_json, **PUBLIC),
    RouteCase(
        "open311:requests",
        id="open311:requests-create",
        make=_client_key,
        kwargs=_json,
        method="post",
        data=_create_data,
        **PUBLIC,
    ),
    RouteCase(
        "open311:request",
        make=_public_matter,
        kwargs=lambda p: {"fmt": "json", "request_id": p.number},
        **PUBLIC,
    ),
)
