"""Writes of the portal app.

- Open311 client keys (shown once, stored as a digest): :func:`issue_open311_client`,
  :func:`revoke_open311_client`, :func:`client_for_key`.
- The query code by SMS: :func:`send_query_code` (to the phone on the matter, through the
  outbox) and :func:`replace_query_code` (a lost code: a new one replaces it, the old one
  stops working at once).
- A citizen account's phone: :func:`send_phone_code` and :func:`confirm_phone` (the key to
  "my matters", which are found by the phone's keyed digest).
- :func:`set_public_title` — the office's public title of a matter for the Open311 feed.

Citizen submissions, ratings and review requests are not written here: the views call
``xinfang.petitions.services.register_petition`` and ``xinfang.petitions.workflow.transition``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinfang.core import audit, crypto, outbox
from xinfang.core.models import AuditAction
from xinfang.core.usage import touch_last_used
from xinfang.org.models import Unit
from xinfang.petitions.models import Petition, Petitioner
from xinfang.petitions.models.matter import _new_query_code
from xinfang.petitions.services import query_code_hash
from xinfang.portal.errors import PhoneCodeInvalid, PortalInvalid
from xinfang.portal.models import Open311Client, PhoneVerification, PublicTitle

__all__ = [
    "client_for_key",
    "confirm_phone",
    "issue_open311_client",
    "my_matters",
    "phone_verified",
    "replace_query_code",
    "revoke_open311_client",
    "send_phone_code",
    "send_query_code",
    "set_public_title",
    "titled_matter",
]

KEY_PREFIX = "o311_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "ignore")).hexdigest()


@transaction.atomic
def issue_open311_client(
    *, actor: Any, name: str, unit: Unit, trusted: bool = False
) -> tuple[Open311Client, str]:
    """Create an Open311 client for ``unit`` and return it with its only clear api_key
    (``trusted``: it receives the query codes of the requests it creates)."""
    if not name.strip():
        raise ValueError("请填写接入系统名称")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        name=name.strip(),
        unit=unit,
        key_prefix=key[:12],
        key_digest=_digest(key),
        trusted=trusted,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=client,
        after={
            "name": client.name,
            "unit": unit.pk,
            "key_prefix": client.key_prefix,
            "trusted": trusted,
        },
    )
    return client, key


@transaction.atomic
def revoke_open311_client(client: Open311Client, *, actor: Any) -> None:
    """Switch a client off: its api_key is refused from now on."""
    Open311Client.objects.filter(pk=client.pk).update(is_active=False)
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=client,
        before={"is_active": client.is_active},
        after={"is_active": False},
    )
    client.is_active = False


def client_for_key(key: str) -> Open311Client | None:
    """The active client holding ``key`` (compared by digest), or ``None``."""
    if not key or len(key) > 200:
        return None
    client = (
        Open311Client.objects.active()
        .select_related("unit")
        .filter(key_digest=_digest(key))
        .first()
    )
    if client is not None:
        touch_last_used(client)  # a busy hotline does not rewrite the row per request
    return client


# ---------------------------------------------------------------------------------------
# The query code by SMS


def _contact(petition: Petition) -> Petitioner | None:
    """The petitioner whose phone is the matter's contact phone (the lookup's phone)."""
    if not petition.contact_phone_digest:
        return None
    return (
        Petitioner.objects.filter(petition=petition, phone_digest=petition.contact_phone_digest)
        .order_by("pk")
        .first()
    )


def send_query_code(petition: Petition, code: str, *, replaced: bool = False) -> bool:
    """Queue an SMS with ``code`` to the matter's contact phone; ``False`` without one.

    The code goes only to the phone the lookup asks for together with it, so the SMS
    gives nobody a way in that holding the phone did not already give. The text names
    the matter number and the code, never the summary or a name.
    """
    person = _contact(petition)
    if person is None:
        return False
    portal = getattr(settings, "XINFANG_PORTAL_URL", "")
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    outbox.queue(
        key=f"portal:code:{petition.pk}:{stamp}",
        kind="citizen_sms",
        phone_of=person,
        text=(
            f"【信访】您的信访事项{petition.number}的{'新' if replaced else ''}查询码：{code}"
            f"{'（原查询码已停用）' if replaced else ''}。"
            f"请凭查询码和本手机号码在{portal}查询办理进展，勿告知他人。"
        ),
        source=f"petitions.Petition:{petition.pk}",
        subject=petition.number or "",
    )
    return True


def _new_code() -> str:
    return _new_query_code()


@transaction.atomic
def replace_query_code(petition: Petition, *, actor: Any) -> bool:
    """Replace a lost query code by a new one sent by SMS to the phone on the matter.

    The old code stops working at once. ``False`` (nothing changed) when the matter has no
    contact phone to send the new one to. Audited, without the code.
    """
    if _contact(petition) is None:
        return False
    code = _new_code()
    Petition.objects.filter(pk=petition.pk).update(
        query_code_hash=query_code_hash(code), query_code_token=crypto.seal(code)
    )
    petition.query_code_hash = query_code_hash(code)
    petition.query_code_token = crypto.seal(code)
    audit.record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AuditAction.CHANGE,
        obj=petition,
        detail={"query_code": "replaced", "sent_to": "contact_phone"},
    )
    send_query_code(petition, code, replaced=True)
    return True


# ---------------------------------------------------------------------------------------
# A citizen account's phone

PHONE_CODE_SECONDS = 10 * 60
PHONE_CODE_TRIES = 5
PHONE_CODE_RESEND_SECONDS = 60


def _code_digest(user: Any, code: str) -> str:
    return crypto.blind_index(f"{user.pk}:{code}", "portal-phone-code")


def phone_verified(user: Any) -> bool:
    """Has the citizen proven holding the phone their account signs in with (as it is now)?"""
    if not getattr(user, "is_citizen", False) or not user.phone_digest:
        return False
    return PhoneVerification.objects.filter(
        user=user, verified_at__isnull=False, phone_digest=user.phone_digest
    ).exists()


@transaction.atomic
def send_phone_code(user: Any) -> None:
    """Send a six-digit code by SMS to the citizen's phone (once a minute at most)."""
    if not getattr(user, "is_citizen", False) or not user.phone_token:
        raise PortalInvalid("请先用手机号码登录群众账号")
    row, _ = PhoneVerification.objects.select_for_update().get_or_create(user=user)
    now = timezone.now()
    if row.sent_at and (now - row.sent_at).total_seconds() < PHONE_CODE_RESEND_SECONDS:
        raise PortalInvalid("验证码已发送，请一分钟后再试")
    code = f"{secrets.randbelow(10**6):06d}"
    row.code_digest = _code_digest(user, code)
    row.sent_at = now
    row.attempts = 0
    row.save(update_fields=["code_digest", "sent_at", "attempts"])
    outbox.queue(
        key=f"portal:phone:{user.pk}:{now:%Y%m%d%H%M%S%f}",
        kind="citizen_sms",
        phone_of=user,
        text=f"【信访】您的手机验证码为{code}，10分钟内有效。如非本人操作，请忽略。",
        source=f"org.User:{user.pk}",
    )


def confirm_phone(user: Any, code: str) -> None:
    """Check the code the citizen typed; five tries within ten minutes (a wrong try is
    counted even though the call raises)."""
    with transaction.atomic():
        row = PhoneVerification.objects.select_for_update().filter(user=user).first()
        problem = _check_phone_code(row, user, code)
        if row is not None and problem == "验证码不正确":
            PhoneVerification.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
        if row is not None and not problem:
            row.verified_at = timezone.now()
            row.phone_digest = user.phone_digest
            row.code_digest = ""
            row.save(update_fields=["verified_at", "phone_digest", "code_digest"])
            audit.record(
                actor=user, action=AuditAction.CHANGE, obj=user, detail={"phone": "verified"}
            )
    if problem:
        raise PhoneCodeInvalid(problem)


def _check_phone_code(row: PhoneVerification | None, user: Any, code: str) -> str:
    if row is None or row.sent_at is None or not row.code_digest:
        return "请先获取验证码"
    age = (timezone.now() - row.sent_at).total_seconds()
    if age > PHONE_CODE_SECONDS or row.attempts >= PHONE_CODE_TRIES:
        return "验证码已失效，请重新获取"
    if not hmac.compare_digest(row.code_digest, _code_digest(user, (code or "").strip())):
        return "验证码不正确"
    return ""


def my_matters(user: Any) -> Any:
    """The matters of a citizen with a verified phone: those whose contact phone, or a
    petitioner's phone, has the account phone's keyed digest; none otherwise."""
    if not phone_verified(user):
        return Petition.objects.none()
    digest = user.phone_digest
    ids = Petitioner.objects.filter(phone_digest=digest).values("petition_id")
    return (
        Petition.objects.filter(Q(contact_phone_digest=digest) | Q(pk__in=ids))
        .select_related("responsible_unit", "registering_unit")
        .order_by("-received_on", "-pk")
    )


# ---------------------------------------------------------------------------------------
# Public titles


def titled_matter(user: Any, pk: int) -> Petition | None:
    """The matter ``pk`` if ``user`` may set its public title: staff who handle it or
    registered it (the office that knows what it is about)."""
    for action in ("handle", "register"):
        found = Petition.objects.restrict(user, action).filter(pk=pk).first()
        if found is not None:
            return found
    return None


@transaction.atomic
def set_public_title(petition: Petition, *, actor: Any, title: str) -> PublicTitle | None:
    """Set (or, with an empty title, remove) the matter's title in the public feed."""
    title = " ".join((title or "").split())
    if len(title) > 60:
        raise PortalInvalid("公开标题不超过60个字")
    existing = PublicTitle.objects.filter(petition=petition).first()
    before = {"public_title": existing.title if existing else ""}
    if not title:
        if existing is not None:
            existing.delete()
        row = None
    else:
        row, _ = PublicTitle.objects.update_or_create(
            petition=petition, defaults={"title": title, "set_by": actor}
        )
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=petition,
        before=before,
        after={"public_title": title},
    )
    return row
