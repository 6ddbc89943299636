"""Units, accounts and their role grants in the admin, written through ``org.services``.

Every add, change and delete made here is audited with its before and after in the same
transaction (the admin's views run in one), exactly as when the services are called from
anywhere else; Django's own admin log is kept as well, but it is not the audit chain.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html

from xinfang.core.errors import XinfangError
from xinfang.core.progress import ProgressFile
from xinfang.org import activation, importing, services, twofactor
from xinfang.org.access import can
from xinfang.org.choices import AccountKind
from xinfang.org.errors import OrgImportInvalid
from xinfang.org.forms import AccountCreationForm
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.shell.admin_site import ScopedAdmin, ScopedInline

# Rights come from role grants on units (org.access); Django's groups and model permissions
# play no part, and their page lists hundreds of untranslatable "Can add …" names.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class OrgWorkbookForm(forms.Form):
    file = forms.FileField(label="组织机构工作簿（.xlsx）")


# An uploaded workbook waits here between the preview and the confirmation (the session
# holds only its random name, bound to the administrator who uploaded it).
IMPORT_SESSION_KEY = "_xinfang_org_import"
# The live counter of the confirmed import (core.progress), polled by the page while the
# import runs; the session names it (kept after the import, so the last poll reads 100 %).
PROGRESS_SESSION_KEY = "_xinfang_org_import_progress"


def _import_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "org-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _counter(name: str) -> ProgressFile:
    """The live counter of the import of the upload ``name`` (a random hex name)."""
    if not name.isalnum():
        raise OrgImportInvalid(["上传的文件已失效，请重新上传并预览"])
    return ProgressFile(_import_dir() / f"{name}.progress")


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ("name", "level", "admin_code", "category", "parent", "is_active")
    list_filter = ("level", "category", "is_active")
    search_fields = ("name", "admin_code")
    raw_id_fields = ("parent",)
    change_list_template = "org/admin_unit_changelist.html"

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="org_unit_import"),
            path("import/template/", wrap(self.template_view), name="org_unit_import_template"),
            path("import/progress/", wrap(self.progress_view), name="org_unit_import_progress"),
            *super().get_urls(),
        ]

    def template_view(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(
            importing.template_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''org-template.xlsx"
        return response

    def progress_view(self, request: HttpRequest) -> HttpResponse:
        """The server's percentage of this administrator's running import (JSON, polled
        by the page; 0 before the import starts)."""
        name = request.session.get(PROGRESS_SESSION_KEY, "")
        live = _counter(name).read() if name else None
        if live is None:
            return JsonResponse({"percent": 0, "processed": 0, "total": 0, "phase": ""})
        return JsonResponse(
            {
                "percent": live.percent,
                "processed": live.processed,
                "total": live.total,
                "phase": live.phase,
            }
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → every row checked, the changes previewed → confirm → the one-time list
        of activation links, shown once."""
        form = OrgWorkbookForm(request.POST or None, request.FILES or None)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "从 Excel 导入组织机构和人员",
            "opts": self.model._meta,
            "form": form,
            "hours": _hours(),
        }
        try:
            if request.method == "POST" and "confirm" in request.POST:
                return self._confirm(request, context)
            if request.method == "POST" and form.is_valid():
                data = form.cleaned_data["file"].read()
                book = importing.read_workbook(data)
                plan = importing.plan_import(book, actor=request.user)
                name = secrets.token_hex(16)
                (_import_dir() / f"{name}.xlsx").write_bytes(data)
                request.session[IMPORT_SESSION_KEY] = {"name": name, "user": request.user.pk}
                previous = request.session.get(PROGRESS_SESSION_KEY)
                if previous:
                    _counter(previous).clear()
                request.session[PROGRESS_SESSION_KEY] = name
                context.update(plan=plan, summary=plan.summary())
        except OrgImportInvalid as exc:
            context["problems"] = exc.problems
        status = 400 if context.get("problems") else 200
        return TemplateResponse(request, "org/admin_org_import.html", context, status=status)

    def _confirm(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        pending = request.session.pop(IMPORT_SESSION_KEY, None) or {}
        stored = _import_dir() / f"{pending.get('name', '')}.xlsx"
        if (
            pending.get("user") != request.user.pk
            or not pending.get("name")
            or not stored.is_file()
        ):
            raise OrgImportInvalid(["上传的文件已失效，请重新上传并预览"])
        try:
            result = importing.import_workbook(
                stored.read_bytes(), actor=request.user, progress=_counter(pending["name"])
            )
        finally:
            stored.unlink(missing_ok=True)
        context.update(
            done=True,
            summary=result.plan.summary(),
            activations=[
                (a.username, a.full_name, a.unit, request.build_absolute_uri(a.path))
                for a in result.activations
            ],
        )
        return TemplateResponse(request, "org/admin_org_import.html", context)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The top of an administrator's subtree keeps its parent: moving it elsewhere
        # would reach outside the administrator's scope.
        if obj is not None and obj.parent_id and not can(request.user, "admin", obj.parent.path):
            return ("parent",)
        return ()

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        services.save_unit(actor=request.user, unit=obj)

    def delete_model(self, request: HttpRequest, obj: Unit) -> None:
        services.delete_unit(actor=request.user, unit=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Unit]) -> None:
        for unit in queryset:
            services.delete_unit(actor=request.user, unit=unit)


class RoleGrantInline(ScopedInline):
    model = RoleGrant
    raw_id_fields = ("unit",)
    extra = 0


@admin.register(User)
class UserAdmin(ScopedAdmin):
    list_display = ("username", "full_name", "kind", "unit", "title", "phone_masked", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("username", "full_name")
    raw_id_fields = ("unit",)
    fields = (
        "username",
        "full_name",
        "kind",
        "unit",
        "title",
        "is_active",
        "must_change_password",
        "last_login",
    )
    readonly_fields = ("kind", "must_change_password", "last_login")
    inlines = [RoleGrantInline]
    actions = ["reset_second_factor"]

    @admin.action(description="重置动态口令（手机丢失时；下次登录须重新绑定）")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        for user in queryset:
            try:
                twofactor.reset_second_factor(actor=request.user, user=user)
            except XinfangError as exc:
                self.message_user(request, f"{user.username}:{exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"已重置 {done} 个账号的动态口令，下次登录时须重新绑定。")

    @admin.display(description="手机号码")
    def phone_masked(self, obj: User) -> str:
        return obj.phone_masked

    # Creating an account: its own form (initial password or activation link), no grants
    # yet — they are added on the account's page once it exists.
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = AccountCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return (
                "kind",
                "username",
                "full_name",
                "unit",
                "title",
                "phone",
                "setup",
                "password1",
                "password2",
            )
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else self.inlines

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        if change:
            services.save_account(actor=request.user, user=obj)
            return
        created = self._create_account(request, form.cleaned_data)
        # The admin goes on with the form's instance (its log entry, the redirect to the
        # new account's page): make it the account the service created.
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def _create_account(self, request: HttpRequest, data: dict[str, Any]) -> User:
        by_link = data["setup"] == AccountCreationForm.SETUP_LINK
        password = None if by_link else data["password1"]
        if data["kind"] == AccountKind.CITIZEN:
            user = services.create_citizen(
                actor=request.user,
                phone=data["phone"],
                password=password,
                full_name=data.get("full_name", ""),
                must_change_password=True,
            )
        else:
            user = services.create_staff(
                actor=request.user,
                username=data["username"],
                password=password,
                full_name=data.get("full_name", ""),
                unit=data["unit"],
                title=data.get("title", ""),
                phone=data.get("phone", ""),
                must_change_password=True,
            )
        if by_link:
            url = request.build_absolute_uri(activation.activation_path(user))
            messages.warning(
                request,
                format_html(
                    "一次性激活链接（只显示这一次，请交给本人；{} 小时内有效）："
                    "<br><code>{}</code>",
                    _hours(),
                    url,
                ),
            )
        return user

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        grants = formset.save(commit=False)
        for grant in formset.deleted_objects:
            services.revoke_role(actor=request.user, grant=grant)
        for grant in grants:
            if grant.pk is not None:
                # A grant edited in place is a revocation and a new grant, both audited.
                services.revoke_role(actor=request.user, grant=RoleGrant.objects.get(pk=grant.pk))
            services.grant_role(
                actor=request.user, user=form.instance, role=grant.role, unit=grant.unit
            )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.delete_account(actor=request.user, user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.delete_account(actor=request.user, user=user)


def _hours() -> int:
    from django.conf import settings

    return int(settings.XINFANG_ACTIVATION_SECONDS // 3600)
