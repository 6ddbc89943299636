"""Staff API tokens: shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.org.choices import AccountKind
from xinfang.org.models import ApiToken, User

# "Last used" to the minute: a client polling the API does not rewrite (and commit) the
# token's row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


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
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_PRECISION:
        # Conditional: of two workers seeing the same stale stamp, one writes.
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION),
            pk=record.pk,
        ).update(last_used_at=now)
    return record.user
