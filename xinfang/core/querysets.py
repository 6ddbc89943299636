"""The one mechanism that scopes data: ``Model.objects.restrict(user, action)``.

Every domain model's default manager is built from :class:`RestrictedQuerySet`. A model
declares how it is scoped by implementing ``scope_q(user, action)`` on its queryset class
(a ``Q`` object or ``None`` for "nothing"). Views, API endpoints, exports and feeds start
from ``restrict``; helpers such as :func:`get_object_for_user` turn "missing" and
"forbidden" into the same 404.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M]):
    """A queryset that knows how to narrow itself to what a user may see or do."""

    # Set where ``scope_q`` joins a many-valued relation and could repeat rows.
    scope_needs_distinct: bool = False

    def scope_q(self, user: Any, action: str) -> Q | None:
        """Return the filter for ``user`` and ``action``; ``None`` means no rows.

        Subclasses override this. The default allows superusers only.
        """
        return Q() if getattr(user, "is_superuser", False) else None

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet[_M]:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if getattr(user, "is_superuser", False):
            return self
        q = self.scope_q(user, action)
        if q is None:
            return self.none()
        scoped = self.filter(q)
        return scoped.distinct() if self.scope_needs_distinct else scoped


def get_object_for_user(
    queryset: RestrictedQuerySet[_M], user: Any, *, action: str = "view", **lookup: Any
) -> _M:
    """Fetch one object within ``user``'s scope, raising 404 alike for missing and forbidden."""
    try:
        return queryset.restrict(user, action).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
