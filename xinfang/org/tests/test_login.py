"""Sign-in: staff by user name, citizens by phone number, throttling, and the audit trail."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from xinfang.core.models import AuditAction, AuditEntry, LoginAttempt
from xinfang.org import services
from xinfang.org.auth import CitizenPhoneBackend, StaffBackend
from xinfang.org.models import User
from xinfang.shell.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db

CITIZEN_PHONE = "13800138000"


@pytest.fixture
def staff(cast: Cast) -> User:
    return services.create_staff(
        actor=None,
        username="clerk",
        password=PASSWORD,
        full_name="张办事",
        unit=cast.unit_a,
        phone="13600000000",
    )


@pytest.fixture
def citizen(db: None) -> User:
    return services.create_citizen(actor=None, phone=CITIZEN_PHONE, password=PASSWORD)


def login(username: str, password: str = PASSWORD, client: Client | None = None) -> object:
    return (client or Client()).post("/login/", {"username": username, "password": password})


def test_staff_signs_in_with_user_name(staff: User) -> None:
    response = login("clerk")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor == staff
    assert entry.ip == "127.0.0.1"


def test_citizen_signs_in_with_phone_number(citizen: User) -> None:
    response = login("138 0013 8000")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).actor == citizen


def test_citizen_cannot_use_the_staff_backend(citizen: User) -> None:
    assert StaffBackend().authenticate(None, username=citizen.username, password=PASSWORD) is None
    assert login(citizen.username).status_code == 200


def test_staff_cannot_use_the_citizen_backend(staff: User) -> None:
    assert (
        CitizenPhoneBackend().authenticate(None, username="13600000000", password=PASSWORD) is None
    )
    assert login("13600000000").status_code == 200
    assert CitizenPhoneBackend().authenticate(None, username="clerk", password=PASSWORD) is None


def test_wrong_password_is_refused_in_chinese_and_logged(staff: User) -> None:
    response = login("clerk", "wrong-password")
    assert response.status_code == 200
    assert "用户名（手机号）或密码不正确" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.detail == {"username": "clerk"}
    assert entry.actor is None


def test_failed_citizen_login_is_logged_masked(citizen: User) -> None:
    login(CITIZEN_PHONE, "wrong-password")
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.detail == {"username": "138****8000"}
    assert CITIZEN_PHONE not in LoginAttempt.objects.get().key


def test_logout_is_logged(staff: User) -> None:
    client = Client()
    login("clerk", client=client)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert AuditEntry.objects.get(action=AuditAction.LOGOUT).actor == staff
    assert client.get("/dashboard/").status_code == 302


def test_account_locks_after_max_failures_and_unlocks_after_window(
    staff: User, settings: object
) -> None:
    assert settings.XINFANG_LOGIN_MAX_FAILURES == 5  # type: ignore[attr-defined]
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False) as clock:
        for _ in range(5):
            assert login("clerk", "wrong-password").status_code == 200
        locked = login("clerk")  # the right password, but locked
        assert locked.status_code == 200
        assert "登录失败次数过多，账号已临时锁定，请 15 分钟后再试" in locked.content.decode()
        clock.shift(14 * 60)
        assert login("clerk").status_code == 200
        clock.shift(2 * 60)
        assert login("clerk").status_code == 302
    # A success clears the account's failures.
    assert not LoginAttempt.objects.exists()


def test_lockout_counts_the_phone_number_however_typed(citizen: User) -> None:
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False):
        for typed in [
            "13800138000",
            "138 0013 8000",
            "+8613800138000",
            "(138)00138000",
            "13800138000",
        ]:
            login(typed, "wrong-password")
        assert "临时锁定" in login(CITIZEN_PHONE).content.decode()


def test_one_address_is_throttled_across_accounts(staff: User) -> None:
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False):
        for i in range(20):
            login(f"nobody{i}", "wrong-password")
        assert "临时锁定" in login("clerk").content.decode()


def test_password_change_requires_sign_in_and_works(staff: User) -> None:
    assert Client().get("/password/").status_code == 302
    client = Client()
    client.force_login(staff)
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-pass-2026",
            "new_password2": "Another-pass-2026",
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("Another-pass-2026")
    assert client.get("/password/done/").status_code == 200


def test_login_page_is_chinese() -> None:
    body = Client().get("/login/").content.decode()
    assert "群众使用手机号码登录" in body
    assert '<html lang="zh-Hans">' in body


def test_signed_in_user_is_sent_on_from_login(staff: User) -> None:
    client = Client()
    client.force_login(staff)
    assert client.get("/login/").status_code == 302
