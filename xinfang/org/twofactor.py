"""The second factor of staff sign-in: a TOTP device and one-use recovery codes.

等保 level 3 (GB/T 22239-2019, 8.1.4.1 d) asks that administrators be identified by two or
more kinds of authentication, one of them cryptographic. Staff enrol an authenticator app
(RFC 6238 TOTP, django-otp's ``TOTPDevice``) by scanning a QR code or typing the secret,
and confirm it with a first valid code; they then get ten recovery codes (django-otp's
``StaticDevice``), each usable once, shown once, and regenerable.

Who must have one: administrators always; every staff account when
``XINFANG_REQUIRE_2FA=staff`` (the default in production). Citizens sign in with their
phone and never do.

Every enrolment, removal, recovery-code use and failed code is written to the audit chain,
and a failed code counts as a failed login for the account's lockout
(:mod:`xinfang.org.auth`).
"""

from __future__ import annotations

import base64
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.core import audit
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.middleware import current_ip
from xinfang.core.models import AuditAction
from xinfang.org import auth
from xinfang.org.access import can, has_role
from xinfang.org.choices import Role

__all__ = [
    "RECOVERY_CODE_COUNT",
    "confirm_totp",
    "confirmed_totp",
    "has_second_factor",
    "pending_totp",
    "qr_svg",
    "recovery_codes_left",
    "regenerate_recovery_codes",
    "remove_second_factor",
    "reset_second_factor",
    "second_factor_required",
    "totp_secret",
    "verify_sign_in_code",
]

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "动态口令"
RECOVERY_NAME = "恢复码"


def second_factor_required(user: Any) -> bool:
    """Must ``user`` pass a second factor before using the platform?"""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", False):
        return False
    if settings.XINFANG_REQUIRE_2FA == "staff":
        return True
    return has_role(user, Role.ADMINISTRATOR)


def confirmed_totp(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user: Any) -> bool:
    """Has ``user`` a confirmed TOTP device (so sign-in asks for a code)?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled (the same secret until it is confirmed, so a
    reload of the page does not invalidate a QR code already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret for manual entry, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URI as an inline SVG QR code (drawn here: nothing leaves the site)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title="动态口令二维码")
    return mark_safe(svg)  # noqa: S308 - segno's own markup, no user input but the URI


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:32]


def _failed(user: Any, step: str) -> None:
    """A wrong code: audited, and counted as a failed login of the account."""
    auth.record_failure(user.username, current_ip())
    audit.record(
        actor=user,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        detail={"username": user.username, "second_factor": step},
    )


def _new_recovery_codes(user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _check(user: Any, code: str) -> tuple[Device | None, str]:
    """The confirmed device accepting ``code`` (TOTP, else a recovery code) and its kind."""
    token = _normalise(code)
    totp = confirmed_totp(user)
    if totp is not None and token.isdigit() and len(token) == totp.digits:
        return django_otp.verify_token(user, totp.persistent_id, token), "totp"
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if static is not None and token:
        return django_otp.verify_token(user, static.persistent_id, token), "recovery_code"
    return None, "totp"


@transaction.atomic
def verify_sign_in_code(*, user: Any, code: str) -> tuple[Device, str] | None:
    """The second step of sign-in: the device that accepted ``code`` and its kind, or None.

    A recovery code is deleted as it is used (django-otp's static tokens) and its use is
    audited with how many are left.
    """
    device, kind = _check(user, code)
    if device is None:
        _failed(user, "sign_in")
        return None
    if kind == "recovery_code":
        audit.record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=device,
            detail={"recovery_code_used": True, "left": recovery_codes_left(user)},
        )
    return device, kind


@transaction.atomic
def confirm_totp(*, actor: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an enrolment with its first valid code; return the new recovery codes."""
    if device.user_id != actor.pk or device.confirmed:
        raise ValueError("not this user's pending device")
    token = _normalise(code)
    if not (token.isdigit() and device.verify_token(token)):
        _failed(actor, "enrol")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(actor)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=device,
        detail={"second_factor": "totp", "recovery_codes": RECOVERY_CODE_COUNT},
    )
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, actor: Any) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(actor)
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=StaticDevice.objects.get(user=actor, name=RECOVERY_NAME),
        detail={"recovery_codes": "regenerated", "count": len(codes)},
    )
    return codes


@transaction.atomic
def remove_second_factor(*, actor: Any, code: str) -> bool:
    """Remove the TOTP device and the recovery codes, proven by a current code (so a
    borrowed session alone cannot strip the factor)."""
    device, _kind = _check(actor, code)
    if device is None:
        _failed(actor, "remove")
        return False
    _delete_devices(actor=actor, user=actor, detail={"second_factor": "totp"})
    return True


@transaction.atomic
def reset_second_factor(*, actor: Any, user: Any) -> None:
    """An administrator over the account's unit removes a lost authenticator and its
    recovery codes; the owner enrols again at the next sign-in (the password still needed).
    Nobody resets their own this way: that is :func:`remove_second_factor`, with a code."""
    unit = getattr(user, "unit", None)
    if user.pk == getattr(actor, "pk", None) or unit is None or not can(actor, "admin", unit.path):
        raise NotFoundOrForbidden("账号不存在")
    _delete_devices(
        actor=actor,
        user=user,
        detail={"second_factor": "totp", "reset_for": user.username},
    )


def _delete_devices(*, actor: Any, user: Any, detail: dict[str, Any]) -> None:
    for totp in TOTPDevice.objects.filter(user=user):
        audit.record(actor=actor, action=AuditAction.DELETE, obj=totp, detail=detail)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
