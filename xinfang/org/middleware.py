"""Enforcement of the second factor on every request (after django-otp's OTPMiddleware)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse

from xinfang.org import twofactor

# What a signed-in user who still owes a second factor may reach.
OPEN_ROUTES = frozenset({"two_factor", "login_code", "logout"})
# What a user signed in with an administrator's initial password may reach.
PASSWORD_ROUTES = frozenset({"password_change", "logout"})


class SecondFactorMiddleware:
    """A user who must have a second factor and whose session has not passed one reaches
    nothing but enrolment and sign-out.

    Without a device (an administrator's first sign-in): every page sends them to
    enrolment. With a device but an unverified session (one signed in before the device
    was required, say): the session is ended and they sign in again with the code. The rule
    is checked on the session's state, not remembered from the login page, so no way of
    obtaining a session skips it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
            and twofactor.second_factor_required(user)
            and not self._open(request)
        ):
            return self._refuse(request)
        # Second, an initial password chosen by an administrator is for this sign-in only:
        # nothing but "change password" until the owner chose their own (org.services).
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._open(request, PASSWORD_ROUTES)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": "请先修改初始密码"}, status=403)
            return HttpResponseRedirect(reverse("password_change"))
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest, routes: frozenset[str] = OPEN_ROUTES) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            return resolve(request.path_info).url_name in routes
        except Resolver404:
            return False

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        enrolled = twofactor.has_second_factor(request.user)
        if enrolled:
            logout(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": "需要先完成动态口令验证"}, status=403)
        if enrolled:
            return HttpResponseRedirect(reverse("login"))
        target = reverse("two_factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
