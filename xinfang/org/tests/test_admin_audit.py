"""The admin writes units, accounts, grants and calendar days through the audited services,
and creates accounts their owners can use (initial password or one-time activation link)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from xinfang.core.models import AuditAction, AuditEntry, CalendarDay
from xinfang.org.choices import Role
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.shell.testing import Cast, sign_in

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Qingshui#River2026"


def _admin(cast: Cast, unit: Unit | None = None) -> tuple[Client, User]:
    user = cast.user_with(Role.ADMINISTRATOR, unit or cast.unit_a)
    client = Client()
    sign_in(client, user)
    return client, user


def _entries(obj: Any, action: str) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
        )
    )


def test_unit_changed_in_the_admin_is_audited_with_before_and_after(cast: Cast) -> None:
    client, admin = _admin(cast)
    village = cast.village_a
    response = client.post(
        f"/admin/org/unit/{village.pk}/change/",
        {
            "name": "甲村（更名）",
            "level": village.level,
            "parent": cast.unit_a.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    [entry] = _entries(village, AuditAction.CHANGE)
    assert entry.actor == admin
    assert entry.before["name"] == "甲村" and entry.after["name"] == "甲村（更名）"


def test_unit_added_and_deleted_in_the_admin_is_audited(cast: Cast) -> None:
    client, admin = _admin(cast)
    data = {"name": "新村", "level": "village", "parent": cast.unit_a.pk, "is_active": "on"}
    assert client.post("/admin/org/unit/add/", data).status_code == 302
    new = Unit.objects.get(name="新村")
    [created] = _entries(new, AuditAction.CREATE)
    assert created.before is None and created.after["name"] == "新村"
    assert created.after["path"] == new.path  # the path the save computed, not ""
    pk = new.pk
    assert client.post(f"/admin/org/unit/{pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Unit.objects.filter(pk=pk).exists()
    deleted = AuditEntry.objects.get(object_type="org.unit", object_id=str(pk), action="delete")
    assert deleted.before["name"] == "新村" and deleted.actor == admin


def test_grants_added_and_removed_in_the_admin_are_audited(cast: Cast) -> None:
    client, admin = _admin(cast)
    worker = cast.user_with(Role.HANDLER, cast.village_a, username="worker")
    grant = RoleGrant.objects.get(user=worker)
    form = {
        "username": "worker",
        "full_name": "worker",
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
        "grants-0-DELETE": "on",
        "grants-1-user": worker.pk,
        "grants-1-role": "registrar",
        "grants-1-unit": cast.village_a.pk,
    }
    assert client.post(f"/admin/org/user/{worker.pk}/change/", form).status_code == 302
    new = RoleGrant.objects.get(user=worker)
    assert new.role == "registrar"
    [granted] = _entries(new, AuditAction.CREATE)
    assert granted.after == {"user": worker.pk, "role": "registrar", "unit": cast.village_a.pk}
    revoked = AuditEntry.objects.get(
        object_type="org.rolegrant", object_id=str(grant.pk), action="delete"
    )
    assert revoked.before["role"] == "handler" and revoked.actor == admin
    [changed] = _entries(worker, AuditAction.CHANGE)
    assert changed.actor == admin


def test_calendar_day_changed_in_the_admin_is_audited(cast: Cast) -> None:
    day = CalendarDay.objects.get(date=date(2026, 2, 14))
    client, admin = _admin(cast, cast.county)
    response = client.post(
        f"/admin/core/calendarday/{day.pk}/change/", {"date": "2026-02-14", "name": "取消调休"}
    )
    assert response.status_code == 302
    [entry] = _entries(day, AuditAction.CHANGE)
    assert entry.before["is_working_day"] is True and entry.after["is_working_day"] is False
    assert entry.actor == admin


def _add_account(client: Client, **data: str) -> Any:
    form = {"kind": "staff", "full_name": "新同事", "title": "科员", "setup": "initial", **data}
    return client.post("/admin/org/user/add/", form)


def test_initial_password_is_checked_by_the_password_validators(cast: Cast) -> None:
    client, _admin_user = _admin(cast)
    response = _add_account(
        client, username="newbie", unit=str(cast.unit_a.pk), password1="123", password2="123"
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()
    assert "密码" in response.content.decode()


def test_account_with_initial_password_must_change_it_at_first_sign_in(cast: Cast) -> None:
    client, admin = _admin(cast)
    response = _add_account(
        client,
        username="newbie",
        unit=str(cast.unit_a.pk),
        password1=GOOD_PASSWORD,
        password2=GOOD_PASSWORD,
    )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.must_change_password and newbie.unit == cast.unit_a
    [created] = _entries(newbie, AuditAction.CREATE)
    assert created.actor == admin and created.after["password"] == "***"

    owner = Client()
    assert owner.login(username="newbie", password=GOOD_PASSWORD)
    assert owner.get("/dashboard/")["Location"] == "/password/"
    assert owner.get("/password/").status_code == 200
    changed = owner.post(
        "/password/",
        {
            "old_password": GOOD_PASSWORD,
            "new_password1": "Huangshan#Pine2026",
            "new_password2": "Huangshan#Pine2026",
        },
    )
    assert changed.status_code == 302
    newbie.refresh_from_db()
    assert not newbie.must_change_password
    assert owner.get("/dashboard/").status_code == 200


def _activation_link(response: Any) -> str:
    messages = [str(m) for m in response.context["messages"]]
    [link] = [m for m in messages if "激活链接" in m]
    found = re.search(r"http://testserver(/account/activate/[^<\s]+/)", link)
    assert found
    return found.group(1)


def test_activation_link_is_shown_once_and_opens_the_account_once(cast: Cast) -> None:
    client, _admin_user = _admin(cast)
    response = _add_account(client, username="linked", unit=str(cast.unit_a.pk), setup="link")
    response = client.get(response["Location"])
    path = _activation_link(response)
    linked = User.objects.get(username="linked")
    assert not linked.has_usable_password()
    # Shown once: the next page does not repeat it.
    assert "激活链接" not in client.get(f"/admin/org/user/{linked.pk}/change/").content.decode()

    owner = Client()
    assert owner.get(path).status_code == 200
    weak = owner.post(path, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200  # Django's validators refuse it
    done = owner.post(path, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/"
    linked.refresh_from_db()
    assert linked.check_password(GOOD_PASSWORD) and not linked.must_change_password
    again = owner.get(path)
    assert again.status_code == 404 and "激活链接无效" in again.content.decode()


def test_activation_link_expires(cast: Cast, settings: Any) -> None:
    settings.XINFANG_ACTIVATION_SECONDS = 3600
    client, _admin_user = _admin(cast)
    response = _add_account(client, username="late", unit=str(cast.unit_a.pk), setup="link")
    path = _activation_link(client.get(response["Location"]))
    with time_machine.travel("2026-09-01T12:30:00+08:00"):
        assert Client().get(path).status_code == 404


def test_citizen_account_needs_a_phone_and_signs_in_with_it(cast: Cast) -> None:
    client, _admin_user = _admin(cast)
    passwords = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    refused = _add_account(client, kind="citizen", **passwords)
    assert refused.status_code == 200 and "手机号码" in refused.content.decode()
    created = _add_account(client, kind="citizen", phone="13700001234", **passwords)
    assert created.status_code == 302
    citizen = User.objects.get(kind="citizen", full_name="新同事")
    assert citizen.phone_masked == "137****1234" and citizen.must_change_password
    assert Client().login(username="13700001234", password=GOOD_PASSWORD)
