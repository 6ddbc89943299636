"""Which audit entries a user may read: those about objects the user may see.

An entry is as confidential as its object: ``object_repr`` of a petition is its number and
the start of its summary, so scoping the log by the *actor's* unit showed an accusation to
the accused unit's administrator whenever someone there had touched it (条例 Art. 30: the
accused never learn of the accusation). An entry about a scoped model is listed when
``restrict(user, "view")`` still finds its object; entries about unscoped things (sign-ins,
the holiday calendar) keep the old rule, the actor within the administrator's subtrees.
An entry about a scoped object that was deleted is listed to superusers only: nothing is
left to decide its visibility by.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from xinfang.core.models import AuditEntry
from xinfang.org.access import granted_paths
from xinfang.org.querysets import any_subtree_q


def _scoped_models() -> list[Any]:
    return [
        model
        for model in apps.get_models()
        if model is not AuditEntry and hasattr(model._default_manager, "restrict")
    ]


def visible_audit_entries(user: Any, entries: QuerySet[AuditEntry] | None = None) -> QuerySet[Any]:
    entries = AuditEntry.objects.all() if entries is None else entries
    if getattr(user, "is_superuser", False):
        return entries
    actor_scope = any_subtree_q(granted_paths(user, "admin"), "actor__unit__path")
    if actor_scope is None:
        return entries.none()
    scoped_labels = []
    about_visible = Q(pk__in=[])
    for model in _scoped_models():
        label = model._meta.label_lower
        scoped_labels.append(label)
        visible_ids = (
            model._default_manager.restrict(user, "view")
            .order_by()
            .annotate(audit_object_id=Cast("pk", CharField()))
            .values("audit_object_id")
        )
        about_visible |= Q(object_type=label, object_id__in=visible_ids)
    return entries.filter(about_visible | (actor_scope & ~Q(object_type__in=scoped_labels)))
