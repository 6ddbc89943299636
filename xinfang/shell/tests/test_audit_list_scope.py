"""The audit list shows an entry only to someone who may see the entry's object."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.org import services
from xinfang.org.choices import Role, UnitLevel
from xinfang.petitions.choices import Kind
from xinfang.petitions.tests.factories import make_petition
from xinfang.shell.testing import Cast, sign_in

pytestmark = pytest.mark.django_db


def _audit_page(cast: Cast, user: Any, **params: str) -> str:
    client = Client()
    sign_in(client, user)
    response = client.get("/core/audit/", params)
    assert response.status_code == 200
    # The rows only: the search box repeats what was searched for.
    body = response.content.decode()
    return body[body.index("<tbody>") : body.index("</tbody>")]


SUMMARY = "举报县政府某领导干部违规插手工程招标请求查处"


def _accusation_against_the_county(cast: Cast) -> tuple[Any, Any]:
    """The county discipline body registers an accusation against the county itself.

    Its registrar sits inside the county's subtree, which is what made the old actor-based
    scope show the entries to the county's administrator (条例 Art. 30).
    """
    discipline = services.create_unit(
        actor=None,
        name="测试县纪委监委",
        level=UnitLevel.DEPARTMENT,
        parent=cast.county,
        is_discipline_body=True,
    )
    registrar = cast.user_with(Role.REGISTRAR, discipline)
    petition = make_petition(
        cast,
        unit=discipline,
        actor=registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.county,
        summary=SUMMARY,
    )
    return discipline, petition


def test_accused_units_administrator_sees_nothing_of_the_accusation(cast: Cast) -> None:
    _discipline, petition = _accusation_against_the_county(cast)
    county_admin = cast.user_with(Role.ADMINISTRATOR, cast.county)
    for params in ({}, {"q": petition.number}, {"q": SUMMARY[:6]}):
        body = _audit_page(cast, county_admin, **params)
        assert petition.number not in body
        assert SUMMARY[:8] not in body


def test_accused_units_administrator_sees_nothing_in_the_admin_either(cast: Cast) -> None:
    _discipline, petition = _accusation_against_the_county(cast)
    client = Client()
    sign_in(client, cast.user_with(Role.ADMINISTRATOR, cast.county))
    body = client.get("/admin/core/auditentry/").content.decode()
    assert petition.number not in body and SUMMARY[:8] not in body


def test_discipline_bodys_administrator_reads_the_entries(cast: Cast) -> None:
    discipline, petition = _accusation_against_the_county(cast)
    admin = cast.user_with(Role.ADMINISTRATOR, discipline)
    assert petition.number in _audit_page(cast, admin)


def test_entry_about_a_visible_object_is_listed_whoever_the_actor_was(cast: Cast) -> None:
    # A county clerk changed a village of township A: A's administrator sees the village.
    county_clerk = cast.user_with(Role.HANDLER, cast.county)
    audit.record(actor=county_clerk, action=AuditAction.CHANGE, obj=cast.village_a)
    audit.record(actor=county_clerk, action=AuditAction.CHANGE, obj=cast.unit_b)
    body = _audit_page(cast, cast.user_with(Role.ADMINISTRATOR, cast.unit_a))
    assert "甲村" in body and "乙镇" not in body


def test_entry_without_an_object_follows_the_actor(cast: Cast) -> None:
    audit.record(
        actor=cast.user_with(Role.HANDLER, cast.village_a),
        action=AuditAction.LOGIN,
        object_type="session",
        object_id="",
    )
    audit.record(
        actor=cast.user_with(Role.HANDLER, cast.unit_b, "handler-b"),
        action=AuditAction.LOGIN,
        object_type="session",
        object_id="",
    )
    body = _audit_page(cast, cast.user_with(Role.ADMINISTRATOR, cast.unit_a))
    assert f"handler-{cast.village_a.pk}" in body and "handler-b" not in body


def test_audit_list_query_count_does_not_grow_with_entries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    actor = cast.user_with(Role.HANDLER, cast.village_a)
    for _ in range(60):
        audit.record(actor=actor, action=AuditAction.CHANGE, obj=cast.village_a)
    client = Client()
    sign_in(client, cast.user_with(Role.ADMINISTRATOR, cast.unit_a))
    client.get("/core/audit/")
    with django_assert_max_num_queries(12):
        assert client.get("/core/audit/?page=2").status_code == 200
