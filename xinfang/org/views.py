"""Sign-in, the dashboard and the unit directory."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.core.views import require_roles
from xinfang.org.access import user_roles
from xinfang.org.auth import login_label
from xinfang.org.choices import Role
from xinfang.org.dashboard import panels_for
from xinfang.org.forms import ThrottledLoginForm
from xinfang.org.models import Unit

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(actor=form.get_user(), action=AuditAction.LOGIN, obj=form.get_user())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        # A citizen's login is a phone number: the trail keeps only its masked form.
        login = login_label(str(form.data.get("username") or ""))
        audit.record(actor=None, action=AuditAction.LOGIN_FAILED, detail={"username": login})
        return super().form_invalid(form)

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if getattr(user, "is_citizen", False):
            return "/"
        return super().get_default_redirect_url()


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            audit.record(actor=request.user, action=AuditAction.LOGOUT, obj=request.user)
        return super().post(request, *args, **kwargs)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "is_citizen", False):
        return redirect("/")
    labels = dict(Role.choices)
    roles = sorted(user_roles(request.user))
    return render(
        request,
        "org/dashboard.html",
        {"panels": panels_for(request), "role_labels": [labels[r] for r in roles]},
    )


@require_roles(Role.ADMINISTRATOR)
def unit_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    units = Unit.objects.restrict(request.user, "admin").annotate(staff_count=Count("staff"))
    if q:
        units = units.filter(Q(name__icontains=q) | Q(admin_code__startswith=q))
    page = Paginator(units.order_by("path"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/unit_list.html", {"page_obj": page, "q": q})


def home(request: HttpRequest) -> HttpResponse:
    """The root: staff go to their dashboard; everyone else to the citizen portal."""
    user = request.user
    if user.is_authenticated and not getattr(user, "is_citizen", False):
        return HttpResponseRedirect(reverse("dashboard"))
    try:
        return HttpResponseRedirect(reverse("portal:home"))
    except NoReverseMatch:
        return HttpResponseRedirect(reverse("login"))
