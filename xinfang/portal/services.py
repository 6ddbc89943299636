"""Writes of the portal app: Open311 client keys (shown once, stored as a digest).

Citizen submissions, ratings and review requests are not written here: the views call
``xinfang.petitions.services.register_petition`` and ``xinfang.petitions.workflow.transition``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.org.models import Unit
from xinfang.portal.models import Open311Client

__all__ = ["client_for_key", "issue_open311_client", "revoke_open311_client"]

KEY_PREFIX = "o311_"
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "ignore")).hexdigest()


@transaction.atomic
def issue_open311_client(*, actor: Any, name: str, unit: Unit) -> tuple[Open311Client, str]:
    """Create an Open311 client for ``unit`` and return it with its only clear api_key."""
    if not name.strip():
        raise ValueError("请填写接入系统名称")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        name=name.strip(), unit=unit, key_prefix=key[:12], key_digest=_digest(key)
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=client,
        after={"name": client.name, "unit": unit.pk, "key_prefix": client.key_prefix},
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
        now = timezone.now()
        # "Last used" to the minute: a busy hotline does not rewrite the row per request.
        if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
            Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
    return client
