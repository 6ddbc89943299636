"""The discipline bodies' own queue of accusations (检举控告, 条例 Arts. 22 and 30).

Staff of a discipline body (纪检监察机关: a grant on such a unit or inside it) see the
accusations their body holds — routed to it, accepted, in handling — apart from the general
matter list, with the time each has left. Others are told the page does not exist (404),
like every guarded page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.org.access import granted_paths
from xinfang.org.guards import roles_allow
from xinfang.org.querysets import any_subtree_q
from xinfang.petitions.choices import Kind
from xinfang.petitions.confidentiality import discipline_paths_for
from xinfang.petitions.models import Petition

__all__ = ["discipline_grant_paths", "discipline_queue", "is_discipline_staff"]

PAGE_SIZE = 50


def discipline_grant_paths(user: Any) -> list[str]:
    """The paths of ``user``'s handling grants that lie in a discipline body."""
    if not roles_allow(user, ()):
        return []
    bodies = discipline_paths_for(user)
    return [p for p in granted_paths(user, "handle") if any(p.startswith(d) for d in bodies)]


def is_discipline_staff(user: Any) -> bool:
    return bool(discipline_grant_paths(user))


def _discipline_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_discipline_staff(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.allows = is_discipline_staff  # type: ignore[attr-defined]
    return wrapped


@_discipline_only
def discipline_queue(request: HttpRequest) -> HttpResponse:
    """Accusations held by the user's discipline body, the most urgent first."""
    held = any_subtree_q(discipline_grant_paths(request.user), "responsible_unit__path")
    qs = (
        Petition.objects.restrict(request.user, "handle")
        .filter(held, kind=Kind.ACCUSATION)
        .select_related("responsible_unit", "matter_type__parent", "accused_unit")
        .order_by("next_due", "-received_on", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "petitions/discipline_queue.html", {"page_obj": page, "qs": ""})
