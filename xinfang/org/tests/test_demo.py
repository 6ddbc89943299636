"""The demo county: deterministic, fast, and every printed login works."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from xinfang.org.choices import Role
from xinfang.org.demo import CITIZEN_PHONE, DEMO_PASSWORD, STAFF, build_demo_county
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.org.tests.helpers import enrol

pytestmark = pytest.mark.django_db


def _describe() -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    names = dict(Unit.objects.values_list("pk", "name"))
    units = sorted(
        ("/".join(names[int(p)] for p in u.path.strip("/").split("/")), u.level, u.admin_code)
        for u in Unit.objects.all()
    )
    users = sorted(
        (u.username, u.full_name, u.kind, u.unit.name if u.unit else "", u.phone_masked)
        for u in User.objects.select_related("unit")
    )
    grants = sorted(
        (g.user.username, g.role, g.unit.name)
        for g in RoleGrant.objects.select_related("user", "unit")
    )
    return units, users + grants  # type: ignore[return-value]


def test_load_demo_prints_every_login() -> None:
    # How long it takes is a benchmark's question (bench/), not a test's: a loaded machine
    # must not turn the suite red.
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    for _role, login, *_ in STAFF:
        assert login in text
    assert CITIZEN_PHONE in text and DEMO_PASSWORD in text


def test_demo_is_deterministic() -> None:
    snapshots = []
    for _ in range(2):
        with transaction.atomic():
            build_demo_county()
            snapshots.append(_describe())
            transaction.set_rollback(True)
    assert snapshots[0] == snapshots[1]
    units, _people = snapshots[0]
    assert len(units) >= 20


def test_demo_has_every_role_and_the_tree_levels() -> None:
    demo = build_demo_county()
    granted = set(RoleGrant.objects.values_list("role", flat=True))
    assert granted == set(Role.values)
    levels = set(Unit.objects.values_list("level", flat=True))
    assert {"county", "township", "village", "grid", "department", "subunit"} <= levels
    assert demo.users["citizen"].is_citizen


def test_if_empty_is_idempotent() -> None:
    call_command("load_demo", "--if-empty", stdout=io.StringIO())
    counts = (Unit.objects.count(), User.objects.count(), RoleGrant.objects.count())
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert (Unit.objects.count(), User.objects.count(), RoleGrant.objects.count()) == counts
    with pytest.raises(SystemExit) as excinfo:
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert excinfo.value.code == 1


def test_every_demo_login_signs_in_through_the_login_form() -> None:
    build_demo_county()
    for _role, login, *_ in STAFF:
        response = Client().post("/login/", {"username": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login
        # The administrator enrols a second factor first (XINFANG_REQUIRE_2FA).
        first_page = "/account/two-factor/" if login == "admin" else "/dashboard/"
        assert response["Location"].split("?")[0] == first_page
    response = Client().post("/login/", {"username": CITIZEN_PHONE, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_administrator_can_edit_the_calendar() -> None:
    build_demo_county()
    client = Client()
    client.post("/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert client.get("/admin/core/calendarday/").status_code == 302  # enrol first
    enrol(client)
    assert client.get("/admin/core/calendarday/").status_code == 200


def test_load_demo_says_the_administrator_enrols_at_first_sign_in() -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "admin 首次登录后须绑定动态口令" in out.getvalue()
