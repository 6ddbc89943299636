"""View helpers shared by every app, the audit log page and the deadline calculator."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from xinfang.core.audit_visibility import visible_audit_entries
from xinfang.core.calendar import legal_calendar
from xinfang.core.deadline_reasoning import explain_deadline
from xinfang.core.forms import DeadlineForm
from xinfang.org.access import has_role

View = Callable[..., HttpResponse]


def roles_allow(user: Any, roles: tuple[str, ...]) -> bool:
    """The check of :func:`require_roles`: a signed-in staff member holding one of ``roles``
    (any staff member when ``roles`` is empty)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", False):
        return False
    return not roles or has_role(user, *roles)


def require_roles(*roles: str) -> Callable[[View], View]:
    """Staff-only view for the given roles. Anonymous → login; anyone else → 404, never 403.

    The view carries its check as ``allows(user)`` so that links and forms pointing at it
    are shown by the very same rule (:func:`view_allows`, the ``may_open`` template tag).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles_allow(user, roles):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        wrapped.allows = partial(roles_allow, roles=roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def view_allows(user: Any, url_name: str, *args: Any) -> bool:
    """May ``user`` open the page named ``url_name``? Asked of the view itself.

    ``functools.wraps`` copies ``allows`` through outer decorators (``require_POST``), so the
    resolved function answers with the predicate it enforces. A view that declares none is
    open to whoever sees the link (public pages, the sign-in pages); a name that does not
    reverse is never shown.
    """
    try:
        match = resolve(reverse(url_name, args=args))
    except (NoReverseMatch, Resolver404):
        return False
    allows = getattr(match.func, "allows", None)
    return allows is None or bool(allows(user))


def require_staff(view: View) -> View:
    return require_roles()(view)


@require_roles("administrator")
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = visible_audit_entries(request.user).order_by("-seq")
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
