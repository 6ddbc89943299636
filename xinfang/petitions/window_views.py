"""Pages of requests made while their window was pending (see ``windows.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.core.errors import XinfangError
from xinfang.org.guards import require_roles
from xinfang.petitions.models import WindowCheck
from xinfang.petitions.views import STAFF_ROLES, services_can
from xinfang.petitions.windows import decide_window_check

__all__ = ["window_check_decide", "window_check_list"]

PAGE_SIZE = 50


@require_roles(*STAFF_ROLES)
def window_check_list(request: HttpRequest) -> HttpResponse:
    """Requests accepted while their window was pending; those found late come first."""
    rows = (
        WindowCheck.objects.restrict(request.user, "view")
        .select_related("petition", "decided_by")
        .order_by("outcome", "made_on", "pk")
    )
    outcome = request.GET.get("outcome", "")
    if outcome in WindowCheck.Outcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "petitions/window_checks.html",
        {"page_obj": page, "outcomes": WindowCheck.Outcome.choices, "outcome": outcome},
    )


@require_roles(*STAFF_ROLES)
@require_POST
def window_check_decide(request: HttpRequest, pk: int) -> HttpResponse:
    check = (
        WindowCheck.objects.restrict(request.user, "view")
        .select_related("petition__registering_unit", "petition__responsible_unit")
        .filter(pk=pk)
        .first()
    )
    if check is None or not services_can(request.user, "handle", check.petition):
        raise Http404
    try:
        decide_window_check(
            check,
            actor=request.user,  # type: ignore[arg-type]
            keep=request.POST.get("decision") == "keep",
            note=request.POST.get("note", ""),
        )
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已记录决定")
    return redirect("petitions:window_check_list")
