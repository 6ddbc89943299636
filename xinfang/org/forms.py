"""Forms of the organisation app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xinfang.core.middleware import client_ip
from xinfang.org import auth


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, refusing early while an account or address is locked."""

    error_messages = {
        "invalid_login": _("用户名(手机号)或密码不正确。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多,账号已临时锁定,请 %(minutes)s 分钟后再试。"),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        ip = client_ip(self.request) if self.request else None
        if username and password:
            from django.conf import settings

            if auth.is_locked(username, ip):
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": settings.XINFANG_LOGIN_LOCKOUT_SECONDS // 60},
                )
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                auth.record_failure(username, ip)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            auth.clear_failures(username)
        return self.cleaned_data


class SecondFactorForm(forms.Form):
    """A code from the authenticator app (6 digits) or a recovery code."""

    code = forms.CharField(
        label=_("动态口令或恢复码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
