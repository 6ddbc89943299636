"""Sign-in (password, then the second factor), the dashboard and the unit directory."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xinfang.core import audit
from xinfang.core.middleware import client_ip, mark_signed_in
from xinfang.core.models import AuditAction
from xinfang.org import activation, auth, services, twofactor
from xinfang.org.access import user_roles
from xinfang.org.auth import login_label
from xinfang.org.choices import Role
from xinfang.org.dashboard import panels_for
from xinfang.org.forms import SecondFactorForm, ThrottledLoginForm
from xinfang.org.guards import require_roles
from xinfang.org.models import Unit, User

PAGE_SIZE = 50
# Between the password and the code: who passed the password, how, and where to go next.
PENDING_KEY = "_xinfang_2fa_pending"
PENDING_SECONDS = 5 * 60


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if twofactor.has_second_factor(user):
            # Not signed in yet: the session only remembers who passed the password. A new
            # session id now, and another when the code completes the sign-in.
            self.request.session.cycle_key()
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return HttpResponseRedirect(reverse("login_code"))
        response = super().form_valid(form)
        mark_signed_in(self.request.session)
        audit.record(actor=user, action=AuditAction.LOGIN, obj=user)
        if twofactor.second_factor_required(user):
            # An administrator without a device: enrol first (SecondFactorMiddleware holds
            # them there until they have).
            query = urlencode({"next": response["Location"]})
            return HttpResponseRedirect(f"{reverse('two_factor')}?{query}")
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


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return (user, pending) if user is not None else None


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: a code from the authenticator app or a recovery code.

    Failed codes count toward the account's lockout like failed passwords."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    user, pending = found
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if auth.is_locked(user.username, client_ip(request)):
            request.session.pop(PENDING_KEY, None)
            form.add_error(
                None,
                ThrottledLoginForm.error_messages["locked"]
                % {"minutes": settings.XINFANG_LOGIN_LOCKOUT_SECONDS // 60},
            )
        else:
            verified = twofactor.verify_sign_in_code(user=user, code=form.cleaned_data["code"])
            if verified is not None:
                device, kind = verified
                del request.session[PENDING_KEY]
                auth_login(request, user, pending["backend"])  # a new session id again
                django_otp.login(request, device)
                mark_signed_in(request.session)
                auth.clear_failures(user.username)
                audit.record(
                    actor=user, action=AuditAction.LOGIN, obj=user, detail={"second_factor": kind}
                )
                target = str(pending.get("next") or "")
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                    target = reverse("dashboard")
                return HttpResponseRedirect(target)
            form.add_error(None, "动态口令或恢复码不正确。")
    status = 400 if form.errors else 200
    return render(request, "registration/login_code.html", {"form": form}, status=status)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("dashboard")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The staff member's own second factor: enrol (QR code, secret, first code), then
    regenerate recovery codes or remove the device."""
    user = request.user
    if getattr(user, "is_citizen", False):
        return redirect("/")
    form = SecondFactorForm(request.POST or None)
    action = request.POST.get("action", "")
    enrolled = twofactor.confirmed_totp(user)
    context: dict[str, Any] = {"form": form, "next": _safe_next(request)}
    if enrolled is None:
        device = twofactor.pending_totp(user)
        if action == "confirm" and form.is_valid():
            code = form.cleaned_data["code"]
            codes = twofactor.confirm_totp(actor=user, device=device, code=code)
            if codes is not None:
                django_otp.login(request, device)  # this session has just proven the device
                return render(
                    request,
                    "org/recovery_codes.html",
                    {"codes": codes, "next": context["next"], "enrolled_now": True},
                )
            form.add_error("code", "动态口令不正确，请核对手机时间后重试。")
        context.update(
            qr=twofactor.qr_svg(device),
            secret=twofactor.totp_secret(device),
            required=twofactor.second_factor_required(user),
        )
        return render(request, "org/two_factor_enrol.html", context, status=_status(form, action))
    if action == "regenerate" and user.is_verified():  # type: ignore[union-attr]
        codes = twofactor.regenerate_recovery_codes(actor=user)
        return render(request, "org/recovery_codes.html", {"codes": codes, "next": ""})
    if action == "remove" and form.is_valid():
        if twofactor.remove_second_factor(actor=user, code=form.cleaned_data["code"]):
            return redirect("two_factor")
        form.add_error("code", "动态口令或恢复码不正确。")
    context.update(
        device=enrolled,
        codes_left=twofactor.recovery_codes_left(user),
        verified=user.is_verified(),  # type: ignore[union-attr]
    )
    return render(request, "org/two_factor.html", context, status=_status(form, action))


def _status(form: SecondFactorForm, action: str) -> int:
    return 400 if action and form.is_bound and form.errors else 200


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


@never_cache
@require_http_methods(["GET", "POST"])
def activate_account(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time activation link: the account's owner chooses a password (Django's
    password validators apply), then signs in as usual (second factor included)."""
    user = activation.user_for_token(token)
    if user is None:
        return render(request, "registration/activate_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.activate_account(user=user, password=form.cleaned_data["new_password1"])
        messages.success(request, "账号已激活，请用新密码登录。")
        return redirect("login")
    return render(request, "registration/activate.html", {"form": form, "account": user})
