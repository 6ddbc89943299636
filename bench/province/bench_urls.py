"""The product's URLs plus the two bare baseline views the benchmark compares against.

``bare-due/``: the same 25 rows from the same scoped queryset as the due-soon page, as a
plain HTML table (no template, no pagination count, no navigation). ``bare-insert/``: one
``INSERT`` of the posted summary in a transaction. Both go through the same middleware
(sessions, CSRF, authentication) as the product's pages.

The portal's per-address submission limit (10 an hour) would stop a load test from one
address after ten requests; it is replaced by a limit nobody reaches, so the counter's
cache work is still done on every submission.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import escape

from xinfang.petitions.models import Petition
from xinfang.petitions.views import DUE_SOON_DAYS, PAGE_SIZE, _list_rows
from xinfang.portal import views as portal_views
from xinfang.portal.ratelimit import Limit
from xinfang.urls import urlpatterns as product_urlpatterns

portal_views.SUBMIT_PER_IP = Limit("submit-ip", 10**9, 3600)  # type: ignore[misc]


def bare_due(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=302, headers={"Location": "/login/"})
    today = timezone.localdate()
    qs = Petition.objects.restrict(request.user, "view").due_within(DUE_SOON_DAYS, today=today)
    rows = _list_rows(qs).order_by("next_due", "pk")[:PAGE_SIZE]
    body = "".join(
        f"<tr><td>{escape(p.number or '')}</td><td>{escape(p.summary)}</td>"
        f"<td>{escape(p.responsible_unit.name)}</td><td>{p.next_due}</td></tr>"
        for p in rows
    )
    return HttpResponse(f"<table>{body}</table>")


def bare_insert(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_insert (body, created_at) VALUES (%s, %s)",
            [request.POST.get("summary", ""), timezone.now()],
        )
    return HttpResponse("ok", status=201)


urlpatterns = [
    path("bench/bare-due/", bare_due),
    path("bench/bare-insert/", bare_insert),
    *product_urlpatterns,
]
