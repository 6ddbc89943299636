"""The second factor (issue 10, finding 4): enrolment with a QR code, the code step of
sign-in, recovery codes, who must have one, the audit trail and the lockout; and the
absolute session lifetime."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.core.models import AuditAction, AuditEntry
from xinfang.org import services
from xinfang.org.choices import Role
from xinfang.org.models import User
from xinfang.org.tests.helpers import code_for, enrol, recovery_codes_in
from xinfang.shell.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(cast: Cast) -> User:
    return cast.user_with(Role.ADMINISTRATOR, cast.unit_a, username="root-a")


@pytest.fixture
def handler(cast: Cast) -> User:
    return cast.user_with(Role.HANDLER, cast.unit_a, username="handler-a")


def password_step(username: str, client: Client | None = None, **extra: Any) -> Any:
    client = client or Client()
    return client.post("/login/", {"username": username, "password": PASSWORD}, **extra)


@pytest.fixture
def next_step() -> Iterator[Callable[[], None]]:
    """Move the clock to the next 30-second TOTP step (a code counts once)."""
    travellers: list[Any] = []

    def move() -> None:
        travellers.append(time_machine.travel(timezone.now() + timedelta(seconds=31), tick=True))
        travellers[-1].start()

    yield move
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def enrolled(next_step: Callable[[], None]) -> Callable[[str], tuple[TOTPDevice, list[str]]]:
    def enrol_user(username: str) -> tuple[TOTPDevice, list[str]]:
        client = Client()
        password_step(username, client)
        device, codes = enrol(client)
        next_step()  # the code just used at enrolment cannot sign in
        return device, codes

    return enrol_user


def session_id(client: Client) -> str:
    return client.cookies["sessionid"].value


def test_administrator_without_a_device_is_sent_to_enrolment_and_reaches_nothing_else(
    admin: User,
) -> None:
    client = Client()
    response = password_step("root-a", client)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/?next=")
    for url in ("/dashboard/", "/org/units/", "/admin/", "/core/audit/", "/petitions/"):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith("/account/two-factor/")
    assert client.post("/org/units/").status_code == 302
    assert client.get("/api/petitions").status_code == 403
    enrol(client)
    assert client.get("/org/units/").status_code == 200


def test_enrolment_page_shows_an_inline_qr_code_and_the_secret(admin: User) -> None:
    client = Client()
    password_step("root-a", client)
    html = client.get("/account/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert "<svg" in html and "<img" not in html  # drawn here, no outside service
    secret = html.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")
    assert device.config_url.split("secret=")[1].startswith(secret)
    assert "secret=" + secret in device.config_url


def test_enrolment_is_confirmed_only_by_a_valid_code_and_audited(
    admin: User, next_step: Callable[[], None]
) -> None:
    client = Client()
    password_step("root-a", client)
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor == admin and failed.detail["second_factor"] == "enrol"
    next_step()  # django-otp makes a device wait a growing delay after each wrong code
    device, codes = enrol(client)
    assert len(codes) == 10
    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="otp_totp.totpdevice")
    assert created.actor == admin and created.object_id == str(device.pk)


def test_recovery_codes_are_shown_once(admin: User) -> None:
    client = Client()
    password_step("root-a", client)
    _device, codes = enrol(client)
    page = client.get("/account/two-factor/").content.decode()
    assert "剩余恢复码：10 个" in page
    assert not any(code in page for code in codes)


def test_enrolled_staff_signs_in_with_password_then_code_and_the_session_id_rotates_twice(
    admin: User, enrolled: Any
) -> None:
    device, _codes = enrolled("root-a")
    client = Client()
    client.get("/login/")
    client.session.save()
    before = session_id(client)
    response = password_step("root-a", client)
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    after_password = session_id(client)
    assert after_password != before
    # The password alone signs nobody in.
    assert client.get("/dashboard/")["Location"].startswith("/login/")
    response = client.post("/login/code/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert session_id(client) not in (before, after_password)
    assert client.get("/dashboard/").status_code == 200
    login = AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=admin).last()
    assert login is not None and login.detail == {"second_factor": "totp"}


def test_a_recovery_code_works_once_and_its_use_is_audited(admin: User, enrolled: Any) -> None:
    _device, codes = enrolled("root-a")
    client = Client()
    password_step("root-a", client)
    response = client.post("/login/code/", {"code": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    used = AuditEntry.objects.get(action=AuditAction.CHANGE, object_type="otp_static.staticdevice")
    assert used.actor == admin and used.detail == {"recovery_code_used": True, "left": 9}
    again = Client()
    password_step("root-a", again)
    assert again.post("/login/code/", {"code": codes[0]}).status_code == 400


def test_failed_codes_are_audited_and_count_toward_the_login_lockout(
    admin: User, settings: Any, enrolled: Any
) -> None:
    device, _codes = enrolled("root-a")
    client = Client()
    password_step("root-a", client)
    for _ in range(settings.XINFANG_LOGIN_MAX_FAILURES):
        assert client.post("/login/code/", {"code": "123456"}).status_code == 400
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, actor=admin)
    assert failures.count() == settings.XINFANG_LOGIN_MAX_FAILURES
    assert {e.detail["second_factor"] for e in failures} == {"sign_in"}
    # Locked now: even the right code is refused, and so is the password step.
    response = client.post("/login/code/", {"code": code_for(device)})
    assert response.status_code == 400 and "账号已临时锁定" in response.content.decode()
    assert "账号已临时锁定" in password_step("root-a").content.decode()


def test_pending_sign_in_expires_after_five_minutes(admin: User, enrolled: Any) -> None:
    device, _codes = enrolled("root-a")
    client = Client()
    password_step("root-a", client)
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        response = client.post("/login/code/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/dashboard/").status_code == 302


def test_staff_without_admin_role_sign_in_with_password_alone_by_default(handler: User) -> None:
    response = password_step("handler-a")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_require_2fa_staff_sends_every_staff_member_to_enrolment(
    handler: User, settings: Any
) -> None:
    settings.XINFANG_REQUIRE_2FA = "staff"
    client = Client()
    response = password_step("handler-a", client)
    assert response["Location"].startswith("/account/two-factor/")
    assert client.get("/dashboard/")["Location"].startswith("/account/two-factor/")


def test_citizens_are_never_asked_for_a_second_factor(db: None, settings: Any) -> None:
    settings.XINFANG_REQUIRE_2FA = "staff"
    services.create_citizen(actor=None, phone="13800138000", password=PASSWORD)
    client = Client()
    response = client.post("/login/", {"username": "13800138000", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/portal/").status_code == 200
    assert client.get("/account/two-factor/")["Location"] == "/"


def test_require_2fa_defaults_to_staff_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("xinfang.settings")
    try:
        monkeypatch.setenv("XINFANG_PRODUCTION", "true")
        assert importlib.reload(module).XINFANG_REQUIRE_2FA == "staff"
        monkeypatch.setenv("XINFANG_PRODUCTION", "false")
        assert importlib.reload(module).XINFANG_REQUIRE_2FA == "admins"
    finally:
        monkeypatch.undo()
        importlib.reload(module)


def test_regenerated_recovery_codes_replace_the_old_ones_and_are_audited(
    admin: User, next_step: Callable[[], None]
) -> None:
    client = Client()
    password_step("root-a", client)
    _device, old = enrol(client)
    response = client.post("/account/two-factor/", {"action": "regenerate"})
    new = recovery_codes_in(response)
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEntry.objects.filter(
        action=AuditAction.CHANGE, detail__recovery_codes="regenerated"
    ).exists()
    other = Client()
    password_step("root-a", other)
    assert other.post("/login/code/", {"code": old[1]}).status_code == 400
    next_step()
    assert other.post("/login/code/", {"code": new[1]}).status_code == 302


def test_removal_needs_a_current_code_is_audited_and_sends_an_admin_back_to_enrolment(
    admin: User, next_step: Callable[[], None]
) -> None:
    client = Client()
    password_step("root-a", client)
    device, _codes = enrol(client)
    refused = client.post("/account/two-factor/", {"action": "remove", "code": "999999"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    next_step()
    removed = client.post("/account/two-factor/", {"action": "remove", "code": code_for(device)})
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_type="otp_totp.totpdevice")
    assert entry.actor == admin
    assert client.get("/dashboard/")["Location"].startswith("/account/two-factor/")


def test_otp_devices_are_not_in_the_admin(admin: User) -> None:
    from django.contrib import admin as django_admin

    assert not django_admin.site.is_registered(TOTPDevice)


def test_session_ends_at_the_absolute_lifetime_even_when_active(
    handler: User, settings: Any
) -> None:
    settings.XINFANG_SESSION_MAX_SECONDS = 60 * 60
    client = Client()
    password_step("handler-a", client)
    start = timezone.now()
    for minutes in range(10, 60, 10):  # active every 10 minutes: never idle
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/dashboard/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    entry = AuditEntry.objects.filter(action=AuditAction.LOGOUT).get()
    assert entry.actor == handler and entry.detail == {"reason": "session_max_age"}


def test_default_absolute_session_lifetime_is_twelve_hours(settings: Any) -> None:
    assert settings.XINFANG_SESSION_MAX_SECONDS == 12 * 60 * 60


def test_an_administrator_resets_a_lost_authenticator_and_the_owner_enrols_again(
    cast: Cast, admin: User, handler: User
) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    from xinfang.org.twofactor import reset_second_factor

    TOTPDevice.objects.create(user=handler, name="动态口令", confirmed=True)
    StaticDevice.objects.create(user=handler, name="恢复码", confirmed=True)
    reset_second_factor(actor=admin, user=handler)
    assert not TOTPDevice.objects.filter(user=handler).exists()
    assert not StaticDevice.objects.filter(user=handler).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.DELETE).latest("seq")
    assert entry.actor == admin and entry.detail["reset_for"] == handler.username


def test_a_reset_needs_an_administrator_over_the_account_and_is_never_ones_own(
    cast: Cast, admin: User, handler: User
) -> None:
    from xinfang.core.errors import NotFoundOrForbidden
    from xinfang.org.twofactor import reset_second_factor

    outsider = cast.user_with(Role.ADMINISTRATOR, cast.unit_b, "admin-b")
    TOTPDevice.objects.create(user=handler, name="动态口令", confirmed=True)
    for actor, user in ((outsider, handler), (handler, admin), (admin, admin)):
        with pytest.raises(NotFoundOrForbidden):
            reset_second_factor(actor=actor, user=user)
    assert TOTPDevice.objects.filter(user=handler).exists()


def test_the_reset_is_an_action_of_the_admin_account_list(cast: Cast, handler: User) -> None:
    from xinfang.shell.testing import sign_in

    root = cast.user_with(Role.ADMINISTRATOR, cast.county, "root-admin")
    TOTPDevice.objects.create(user=handler, name="动态口令", confirmed=True)
    client = Client()
    sign_in(client, root)
    response = client.post(
        "/admin/org/user/",
        {"action": "reset_second_factor", "_selected_action": [handler.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "已重置 1 个账号的动态口令" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=handler).exists()
