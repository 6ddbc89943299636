"""Staff API tokens: shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.core.usage import touch_last_used
from xinfang.org.choices import AccountKind
from xinfang.org.models import ApiToken, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


@transaction.atomic
def issue_token(*, actor: Any, user: User, name: str) -> str:
    """Create a token for ``user`` and return its only clear copy."""
    token = "xf_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, digest=_digest(token))
    audit.record(actor=actor, action=AuditAction.CREATE, obj=record, after={"name": name})
    return token


def user_for_token(token: str) -> User | None:
    record = (
        ApiToken.objects.select_related("user")
        .filter(
            digest=_digest(token),
            revoked_at__isnull=True,
            user__is_active=True,
            user__kind=AccountKind.STAFF,
        )
        .first()
    )
    if record is None:
        return None
    touch_last_used(record)
    return record.user
