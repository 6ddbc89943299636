"""Sign-in: staff by user name, citizens by phone number; both throttled.

Too many failures for one account key or from one address inside the window lock further
attempts until the window passes (``XINFANG_LOGIN_MAX_FAILURES``,
``XINFANG_LOGIN_LOCKOUT_SECONDS``).
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from xinfang.core import crypto
from xinfang.core.errors import PersonalDataError
from xinfang.core.models import LoginAttempt
from xinfang.core.personal_data import digest_for, mask_id_number, mask_phone, normalize_phone
from xinfang.org.choices import AccountKind
from xinfang.org.models import User


def _window_start() -> Any:
    return timezone.now() - timedelta(seconds=settings.XINFANG_LOGIN_LOCKOUT_SECONDS)


def attempt_key(login: str) -> str:
    """The throttling key of what was typed as the login.

    Citizens sign in with their phone number, so the typed login is personal data: only
    its keyed hash is stored (a phone number is normalised first, so "138 0000 0001" and
    "13800000001" count as one account).
    """
    value = login.strip().lower()
    with contextlib.suppress(PersonalDataError):
        value = normalize_phone(value)
    return crypto.blind_index(value, "login")


def login_label(login: str) -> str:
    """What the audit trail shows of a typed login: phone and ID numbers only masked."""
    value = login.strip()[:100]
    with contextlib.suppress(PersonalDataError):
        return mask_phone(normalize_phone(value))
    if len(value) >= 15 and value[:15].isdigit():
        return mask_id_number(value)
    return value


def is_locked(login: str, ip: str | None) -> bool:
    recent = LoginAttempt.objects.filter(created_at__gte=_window_start())
    limit = settings.XINFANG_LOGIN_MAX_FAILURES
    if recent.filter(key=attempt_key(login)).count() >= limit:
        return True
    # An address gets more room than an account: offices share one NAT address.
    return bool(ip) and recent.filter(ip=ip).count() >= limit * 4


def record_failure(login: str, ip: str | None) -> None:
    LoginAttempt.objects.create(key=attempt_key(login), ip=ip)


def clear_failures(login: str) -> None:
    LoginAttempt.objects.filter(key=attempt_key(login)).delete()


class StaffBackend(ModelBackend):
    """User name and password, for staff accounts only."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = User.objects.filter(username=username, kind=AccountKind.STAFF).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class CitizenPhoneBackend(ModelBackend):
    """Phone number and password, for citizen accounts."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        try:
            digest = digest_for("phone", username)
        except PersonalDataError:
            return None
        user = User.objects.filter(kind=AccountKind.CITIZEN, phone_digest=digest).first()
        if user is None:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
