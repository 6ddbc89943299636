"""One-time activation links for accounts an administrator created without a password.

The token is signed (``django.core.signing``, salted for this use only), expires after
``XINFANG_ACTIVATION_SECONDS`` and carries a fingerprint of the account's unusable password
hash: choosing a password changes the hash, so a used link — or one issued before a newer
one — no longer opens anything. It is shown once, to the administrator who created the
account, and never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from xinfang.org.models import User

SALT = "xinfang.org.activation"


def _fingerprint(user: User) -> str:
    return salted_hmac(SALT, f"{user.pk}:{user.password}").hexdigest()[:20]


def activation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=SALT)


def activation_path(user: User) -> str:
    return reverse("activate_account", kwargs={"token": activation_token(user)})


def user_for_token(token: str) -> User | None:
    """The account the link activates, or ``None`` (bad, expired, used, inactive)."""
    try:
        data: Any = signing.loads(token, salt=SALT, max_age=settings.XINFANG_ACTIVATION_SECONDS)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict):
        return None
    pk = data.get("u")
    if not isinstance(pk, int):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.has_usable_password():
        return None
    if not constant_time_compare(_fingerprint(user), str(data.get("f", ""))):
        return None
    return user
