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
        "invalid_login": _("用户名（手机号）或密码不正确。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，账号已临时锁定，请 %(minutes)s 分钟后再试。"),
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


class AccountCreationForm(forms.ModelForm):
    """The admin's "add user": an account its owner can use at once.

    Either an initial password (checked by Django's password validators, good for the first
    sign-in only) or a one-time activation link shown once to the administrator. A citizen
    signs in with a phone number, so one is required there and the user name is derived.
    """

    SETUP_INITIAL = "initial"
    SETUP_LINK = "link"

    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    setup = forms.ChoiceField(
        label=_("开通方式"),
        choices=[
            (SETUP_INITIAL, _("设置初始密码（本人首次登录时须修改）")),
            (SETUP_LINK, _("生成一次性激活链接（本人设置密码）")),
        ],
        initial=SETUP_INITIAL,
        widget=forms.RadioSelect,
    )
    password1 = forms.CharField(
        label=_("初始密码"), required=False, strip=False, widget=forms.PasswordInput
    )
    password2 = forms.CharField(
        label=_("再次输入初始密码"), required=False, strip=False, widget=forms.PasswordInput
    )

    class Meta:
        from xinfang.org.models import User

        model = User
        fields = ("kind", "username", "full_name", "unit", "title")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].required = False
        self.fields["username"].help_text = _("工作人员必填；群众账号用手机号登录，无需填写。")

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth import password_validation

        from xinfang.org.choices import AccountKind
        from xinfang.org.models import User

        data = super().clean() or {}
        kind = data.get("kind")
        if kind == AccountKind.CITIZEN:
            if not data.get("phone"):
                self.add_error("phone", _("群众账号须填写手机号码（用于登录）。"))
        elif not data.get("username"):
            self.add_error("username", _("工作人员账号须填写用户名。"))
        elif User.objects.filter(username=data["username"]).exists():
            self.add_error("username", _("该用户名已被使用。"))
        if kind == AccountKind.STAFF and not data.get("unit"):
            self.add_error("unit", _("工作人员账号须选择所在单位。"))
        if data.get("setup") == self.SETUP_INITIAL:
            first, second = data.get("password1") or "", data.get("password2") or ""
            if not first:
                self.add_error("password1", _("请设置初始密码，或改为生成激活链接。"))
            elif first != second:
                self.add_error("password2", _("两次输入的密码不一致。"))
            else:
                probe = User(
                    username=data.get("username") or "", full_name=data.get("full_name", "")
                )
                try:
                    password_validation.validate_password(first, probe)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data
