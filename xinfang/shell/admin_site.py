"""The admin site: administrators only, and every list scoped by ``restrict``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from xinfang.org.access import granted_paths, has_role
from xinfang.org.querysets import any_subtree_q

_View = TypeVar("_View", bound=Callable[..., Any])


class XinfangAdminSite(admin.AdminSite):
    site_header = "信访工作平台 · 系统管理"
    site_title = "系统管理"
    index_title = "系统管理"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or has_role(user, "administrator")))

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """A signed-in user who is no administrator gets the (Chinese) 404 page.

        Django's admin would send them to the login page, which sends a signed-in user
        straight back to ``next``: the endless redirect of issue 11. "Not here" also tells
        them nothing about the admin, as for any other page they may not open.
        """
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return cast(_View, guarded)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One sign-in for the whole platform: the throttled, audited login page.

        Django's own admin login form would bypass the lockout and the audit trail. A
        signed-in user who is no administrator gets the 404 page (see ``admin_view``).
        """
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(target, reverse("login"))


def scoped_foreign_key_queryset(
    db_field: ForeignKey[Any, Any], request: HttpRequest
) -> QuerySet[Any] | None:
    """Choices of a foreign key in the admin: only rows the administrator may manage.

    Without this an administrator of one township could attach a user or grant a role to
    a unit outside their subtree by typing its id.
    """
    manager = db_field.related_model._default_manager
    if hasattr(manager, "restrict"):
        return manager.restrict(request.user, "admin")
    return None


class ScopedInline(admin.TabularInline):
    """An inline whose foreign-key choices are scoped like :class:`ScopedAdmin`'s."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        queryset = scoped_foreign_key_queryset(db_field, request)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    unit_field = "unit"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Rows tied to a unit outside the administrator's subtree (say, the same person's
        # grant in another township) are neither shown nor editable here.
        qs = super().get_queryset(request)
        if request.user.is_superuser or not any(
            f.name == self.unit_field for f in qs.model._meta.get_fields()
        ):
            return qs
        scope = any_subtree_q(granted_paths(request.user, "admin"), f"{self.unit_field}__path")
        return qs.filter(scope) if scope is not None else qs.none()

    # Rights follow the administrator role (as in ScopedAdmin), not Django model permissions.
    def _allowed(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)


class ScopedAdmin(admin.ModelAdmin):
    """Rows limited to the administrator's unit subtrees; rights follow the admin role."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if hasattr(qs, "restrict"):
            return qs.restrict(request.user, "admin")
        return qs if request.user.is_superuser else qs.none()

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        queryset = scoped_foreign_key_queryset(db_field, request)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)


class RootAdminOnly(ScopedAdmin):
    """Global tables (the holiday calendar): administrators of a top-level unit only."""

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        return any(path.count("/") == 1 for path in granted_paths(user, "admin"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return admin.ModelAdmin.get_queryset(self, request)

    def _or_404(self, request: HttpRequest) -> None:
        # Other administrators get the same answer as for a page that does not exist.
        if not self._allowed(request):
            raise Http404

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self._or_404(request)
        return super().changelist_view(request, extra_context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._or_404(request)
        return super().add_view(request, form_url, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._or_404(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._or_404(request)
        return super().delete_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._or_404(request)
        return super().history_view(request, object_id, extra_context)
