"""Sign-in: staff by user name, citizens by phone number; both throttled.

Too many failures for one account key or from one address inside the window lock further
attempts until the window passes (``XINFANG_LOGIN_MAX_FAILURES``,
``XINFANG_LOGIN_LOCKOUT_SECONDS``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from xinfang.core.errors import PersonalDataError
from xinfang.core.models import LoginAttempt
from xinfang.core.personal_data import digest_for
from xinfang.org.choices import AccountKind
from xinfang.org.models import User


def _window_start() -> Any:
    return timezone.now() - timedelta(seconds=settings.XINFANG_LOGIN_LOCKOUT_SECONDS)


def is_locked(key: str, ip: str | None) -> bool:
    recent = LoginAttempt.objects.filter(created_at__gte=_window_start())
    limit = settings.XINFANG_LOGIN_MAX_FAILURES
    if recent.filter(key=key.lower()).count() >= limit:
        return True
    # An address gets more room than an account: offices share one NAT address.
    return bool(ip) and recent.filter(ip=ip).count() >= limit * 4


def record_failure(key: str, ip: str | None) -> None:
    LoginAttempt.objects.create(key=key.lower()[:200], ip=ip)


def clear_failures(key: str) -> None:
    LoginAttempt.objects.filter(key=key.lower()).delete()


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
