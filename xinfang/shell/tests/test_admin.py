"""The Django admin: administrators only, scoped to their subtree; the calendar to the top."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from xinfang.core import calendar
from xinfang.core.models import CalendarDay
from xinfang.org import services
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.shell.testing import PASSWORD, Cast, sign_in

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def test_anonymous_is_sent_to_the_platform_login() -> None:
    response = Client().get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert response.status_code == 200


def test_admin_login_page_is_the_throttled_platform_login() -> None:
    response = Client().get("/admin/login/?next=/admin/org/unit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/admin/org/unit/")


@pytest.mark.parametrize("role", ["handler", "unit_leader", "registrar", "assessment_officer"])
def test_staff_without_administrator_role_cannot_enter(cast: Cast, role: str) -> None:
    # Not a redirect to the login page, which sent a signed-in user straight back: a loop.
    client = client_for(cast.user_with(role, cast.county))
    response = client.get("/admin/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert client.get("/admin/org/unit/").status_code == 404
    assert client.get("/admin/login/?next=/admin/").status_code == 404


def test_citizen_cannot_enter(db: None) -> None:
    citizen = services.create_citizen(actor=None, phone="13700000009", password=PASSWORD)
    assert client_for(citizen).get("/admin/").status_code == 404


def test_administrator_sees_only_own_subtree_of_units(cast: Cast) -> None:
    client = client_for(cast.user_with("administrator", cast.unit_a))
    response = client.get("/admin/org/unit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲镇" in body and "甲村" in body
    assert "乙镇" not in body and "测试县自然资源局" not in body


def test_out_of_scope_unit_looks_like_a_missing_one(cast: Cast) -> None:
    client = client_for(cast.user_with("administrator", cast.unit_a))
    outside = client.get(f"/admin/org/unit/{cast.unit_b.pk}/change/")
    missing = client.get("/admin/org/unit/999999/change/")
    assert outside.status_code == missing.status_code == 302
    assert outside["Location"] == missing["Location"] == "/admin/"
    assert client.get(f"/admin/org/unit/{cast.village_a.pk}/change/").status_code == 200


def test_administrator_sees_only_users_of_own_subtree(cast: Cast) -> None:
    admin = cast.user_with("administrator", cast.unit_a)
    cast.user_with("handler", cast.village_a, username="village-handler")
    cast.user_with("handler", cast.unit_b, username="b-handler")
    body = client_for(admin).get("/admin/org/user/").content.decode()
    assert "village-handler" in body
    assert "b-handler" not in body


def test_new_unit_must_be_inside_the_administrators_subtree(cast: Cast) -> None:
    client = client_for(cast.user_with("administrator", cast.unit_a))
    data = {"name": "新村", "level": "village", "is_active": "on"}
    refused = client.post("/admin/org/unit/add/", {**data, "parent": cast.unit_b.pk})
    assert refused.status_code == 200  # the form again, with an error
    assert not Unit.objects.filter(name="新村").exists()
    accepted = client.post("/admin/org/unit/add/", {**data, "parent": cast.unit_a.pk})
    assert accepted.status_code == 302
    new = Unit.objects.get(name="新村")
    assert new.path == f"{cast.unit_a.path}{new.pk}/"


def test_role_cannot_be_granted_outside_the_subtree(cast: Cast) -> None:
    admin = cast.user_with("administrator", cast.unit_a)
    worker = cast.user_with("handler", cast.village_a, username="worker")
    grant = RoleGrant.objects.get(user=worker)
    client = client_for(admin)
    form = {
        "username": "worker",
        "full_name": "worker",
        "kind": "staff",
        "unit": cast.village_a.pk,
        "is_active": "on",
        "grants-TOTAL_FORMS": "2",
        "grants-INITIAL_FORMS": "1",
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
        "grants-0-id": grant.pk,
        "grants-0-user": worker.pk,
        "grants-0-role": "handler",
        "grants-0-unit": cast.village_a.pk,
        "grants-1-user": worker.pk,
        "grants-1-role": "administrator",
        "grants-1-unit": cast.county.pk,
    }
    response = client.post(f"/admin/org/user/{worker.pk}/change/", form)
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(user=worker, role="administrator").exists()
    form["grants-1-unit"] = cast.unit_a.pk
    response = client.post(f"/admin/org/user/{worker.pk}/change/", form)
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=worker, role="administrator", unit=cast.unit_a).exists()


def test_calendar_is_editable_by_top_level_administrator_only(cast: Cast) -> None:
    day = CalendarDay.objects.get(date=date(2026, 2, 14))
    township_admin = client_for(cast.user_with("administrator", cast.unit_a))
    assert township_admin.get("/admin/core/calendarday/").status_code == 404
    assert township_admin.get(f"/admin/core/calendarday/{day.pk}/change/").status_code == 404
    assert "节假日" not in township_admin.get("/admin/").content.decode()

    top = client_for(cast.user_with("administrator", cast.county))
    assert top.get("/admin/core/calendarday/").status_code == 200
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    response = top.post(
        f"/admin/core/calendarday/{day.pk}/change/",
        {"date": "2026-02-14", "name": "春节（已取消调休）"},  # unchecked: a rest day now
    )
    assert response.status_code == 302
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 24)


def test_audit_entries_are_read_only_in_the_admin(cast: Cast) -> None:
    top = client_for(cast.user_with("administrator", cast.county))
    assert top.get("/admin/core/auditentry/").status_code == 200
    assert top.get("/admin/core/auditentry/add/").status_code == 403
