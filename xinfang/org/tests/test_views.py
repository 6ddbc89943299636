"""The home redirect, the dashboard and the unit directory."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.org import services
from xinfang.org.choices import Role, UnitLevel
from xinfang.shell.testing import PASSWORD, Cast, sign_in

pytestmark = pytest.mark.django_db


def test_home_sends_staff_to_dashboard_and_others_to_the_portal_or_login(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.user_with(Role.HANDLER, cast.unit_a))
    assert client.get("/")["Location"] == "/dashboard/"
    anonymous = Client().get("/")
    assert anonymous.status_code == 302
    assert anonymous["Location"] != "/dashboard/"


def test_citizen_has_no_dashboard(db: None) -> None:
    citizen = services.create_citizen(actor=None, phone="13700000004", password=PASSWORD)
    client = Client()
    client.force_login(citizen)
    assert client.get("/dashboard/")["Location"] == "/"
    assert client.get("/org/units/").status_code == 404


def test_dashboard_names_the_roles(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.user_with(Role.UNIT_LEADER, cast.unit_a))
    assert "单位负责人" in client.get("/dashboard/").content.decode()


def test_unit_list_search_and_query_count(cast: Cast, django_assert_max_num_queries: Any) -> None:
    for i in range(60):
        services.create_unit(
            actor=None, name=f"网格{i:02d}", level=UnitLevel.GRID, parent=cast.village_a
        )
    client = Client()
    sign_in(client, cast.user_with(Role.ADMINISTRATOR, cast.unit_a))
    with django_assert_max_num_queries(12):
        response = client.get("/org/units/")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        page2 = client.get("/org/units/?page=2")
    assert "网格" in page2.content.decode()
    found = client.get("/org/units/", {"q": "甲村"}).content.decode()
    assert "甲村" in found and "网格01" not in found
    assert "乙镇" not in client.get("/org/units/", {"q": "乙"}).content.decode()


def test_audit_list_is_scoped_and_searchable(cast: Cast) -> None:
    from xinfang.core import audit
    from xinfang.core.models import AuditAction

    actor_a = cast.user_with(Role.HANDLER, cast.village_a)
    actor_b = cast.user_with(Role.HANDLER, cast.unit_b)
    audit.record(actor=actor_a, action=AuditAction.CHANGE, obj=cast.village_a)
    audit.record(actor=actor_b, action=AuditAction.CHANGE, obj=cast.unit_b)
    client = Client()
    sign_in(client, cast.user_with(Role.ADMINISTRATOR, cast.unit_a))
    body = client.get("/core/audit/").content.decode()
    assert "甲村" in body and "乙镇" not in body
    assert "甲村" not in client.get("/core/audit/", {"q": "乙"}).content.decode()
