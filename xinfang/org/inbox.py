"""The staff inbox: every app's messages addressed to the user's units or to the user.

A message to a unit is seen by every holder of a grant on that unit (with "含下级单位",
on any unit of their subtrees), each with their own read state (``MessageRead``); a message
to a person only by that person. Messages the registered Art. 30 rules withhold from the
user (an accusation's accused unit or person) are never listed, whatever their address.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.core.models import MESSAGE_KINDS, Message, MessageChannel, MessageRead
from xinfang.core.outbox import withheld_q
from xinfang.org.access import granted_paths
from xinfang.org.guards import require_staff
from xinfang.org.querysets import any_subtree_q

__all__ = ["inbox", "inbox_messages", "inbox_read", "mark_messages_read", "unread_count"]

PAGE_SIZE = 30


def inbox_messages(user: Any, *, include_subunits: bool = False) -> Any:
    """The user's inbox messages (a ``QuerySet[Message]``), each annotated with ``is_read``
    for the user (typed ``Any``: django-stubs cannot follow the annotation)."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    paths = granted_paths(user, "view")
    personal = Q(recipient_user_id=user.pk)
    if getattr(user, "is_superuser", False) and include_subunits:
        to_units: Q | None = Q(recipient_unit__isnull=False)
    elif include_subunits or getattr(user, "is_superuser", False):
        to_units = any_subtree_q(paths, "recipient_unit__path")
    else:
        # "view" is allowed by every role: these are the units of all the user's grants.
        to_units = Q(recipient_unit__path__in=paths) if paths else None
    address = personal
    if to_units is not None:
        address |= to_units & Q(recipient_user__isnull=True)
    rows = Message.objects.filter(address, channel=MessageChannel.INBOX)
    hidden = withheld_q(user)
    if hidden is not None:
        rows = rows.exclude(hidden)
    return rows.annotate(
        is_read=Exists(MessageRead.objects.filter(message_id=OuterRef("pk"), user_id=user.pk))
    )


def unread_count(user: Any) -> int:
    """The dashboard's count: unread messages addressed to the user's own units."""
    return inbox_messages(user).filter(is_read=False).count()


@transaction.atomic
def mark_messages_read(
    *,
    actor: Any,
    ids: Sequence[int] | None = None,
    include_subunits: bool = False,
    source_prefix: str = "",
) -> int:
    """Mark messages of the actor's inbox as read (every unread one — of one source when
    ``source_prefix`` is given — when ``ids`` is ``None``); ids outside the inbox are
    ignored. Returns how many were newly marked."""
    rows = inbox_messages(actor, include_subunits=include_subunits).filter(is_read=False)
    if source_prefix:
        rows = rows.filter(source__startswith=source_prefix)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    pks = list(rows.values_list("pk", flat=True))
    created = MessageRead.objects.bulk_create(
        [MessageRead(message_id=pk, user=actor) for pk in pks], ignore_conflicts=True
    )
    return len(created)


def _filtered(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    include_subunits = request.GET.get("scope") == "subunits"
    unread_only = request.GET.get("unread") == "on"
    kind = request.GET.get("kind", "")
    base = inbox_messages(request.user, include_subunits=include_subunits)
    rows = base.filter(is_read=False) if unread_only else base
    if kind in MESSAGE_KINDS:
        rows = rows.filter(kind=kind)
    return rows, {
        "include_subunits": include_subunits,
        "unread_only": unread_only,
        "kind": kind if kind in MESSAGE_KINDS else "",
        "kinds": sorted(MESSAGE_KINDS.items(), key=lambda item: item[1]),
        "unread": base.filter(is_read=False).count(),
    }


@require_staff
def inbox(request: HttpRequest) -> HttpResponse:
    """消息: the user's messages from every app, unread first, filterable by kind."""
    rows, context = _filtered(request)
    rows = rows.select_related("recipient_unit").order_by("is_read", "-created_at", "-pk")
    params = request.GET.copy()
    params.pop("page", None)
    context |= {
        "page_obj": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "qs": params.urlencode(),
    }
    return render(request, "org/inbox.html", context)


@require_staff
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one message (``id``) or every unread one of the inbox as read."""
    include_subunits = request.POST.get("scope") == "subunits"
    raw = request.POST.get("id")
    ids: list[int] | None = None
    if raw:
        try:
            ids = [int(raw)]
        except ValueError as exc:
            raise Http404 from exc
        if not inbox_messages(request.user, include_subunits=True).filter(pk=ids[0]).exists():
            raise Http404
    marked = mark_messages_read(
        actor=request.user, ids=ids, include_subunits=include_subunits or ids is not None
    )
    if ids is None:
        flash.success(request, f"已将 {marked} 条提醒标为已读")
    elif getattr(request, "htmx", False):
        message = (
            inbox_messages(request.user, include_subunits=True)
            .select_related("recipient_unit")
            .get(pk=ids[0])
        )
        return render(request, "org/_inbox_row.html", {"n": message})
    url = reverse("org:inbox") + ("?scope=subunits" if include_subunits else "")
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def dashboard_data(request: HttpRequest) -> dict[str, Any]:
    return {"unread": unread_count(request.user)}
