"""View helpers shared by every app, the audit log page and the deadline calculator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.core.calendar import legal_calendar
from xinfang.core.deadline_reasoning import explain_deadline
from xinfang.core.forms import DeadlineForm
from xinfang.core.models import AuditEntry
from xinfang.org.access import granted_paths, has_role
from xinfang.org.querysets import any_subtree_q

View = Callable[..., HttpResponse]


def require_roles(*roles: str) -> Callable[[View], View]:
    """Staff-only view for the given roles. Anonymous → login; anyone else → 404, never 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "is_citizen", False) or (roles and not has_role(user, *roles)):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def require_staff(view: View) -> View:
    return require_roles()(view)


@require_roles("administrator")
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.order_by("-seq")
    if not request.user.is_superuser:
        scope = any_subtree_q(granted_paths(request.user, "admin"), "actor__unit__path")
        entries = entries.filter(scope) if scope is not None else entries.none()
    q = request.GET.get("q", "").strip()
    if q:
        entries = entries.filter(
            Q(object_repr__icontains=q) | Q(actor_label__icontains=q) | Q(object_id=q)
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page_obj": page, "q": q})


@require_staff
def deadline_calculator(request: HttpRequest) -> HttpResponse:
    """期限计算器: any staff member; a GET form, so it works without JavaScript and a
    result can be bookmarked or sent to a colleague."""
    form = DeadlineForm(request.GET or None)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = explain_deadline(
            legal_calendar(),
            data["start"],
            data["days"],
            working=data["mode"] == "working",
            convention=data["convention"],
        )
    return render(request, "core/deadline_calculator.html", {"form": form, "result": result})


def calendar_panel_data(request: HttpRequest) -> dict[str, Any]:
    """The administrators' panel: a missing holiday schedule and the daily notices about it."""
    from django.utils import timezone

    from xinfang.core.calendar import calendar_warning
    from xinfang.org.inbox import inbox_messages

    unread = inbox_messages(request.user).filter(kind="calendar", is_read=False)
    return {
        "warning": calendar_warning(timezone.localdate()),
        "notices": list(unread.order_by("-created_at", "-pk")[:5]),
    }
