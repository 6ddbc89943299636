"""The admin site: administrators only, and every list scoped by ``restrict``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from xinfang.org.access import granted_paths, has_role


class XinfangAdminSite(admin.AdminSite):
    site_header = "信访工作平台 · 系统管理"
    site_title = "系统管理"
    index_title = "系统管理"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or has_role(user, "administrator")))


class ScopedAdmin(admin.ModelAdmin):
    """Rows limited to the administrator's unit subtrees; rights follow the admin role."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if hasattr(qs, "restrict"):
            return qs.restrict(request.user, "admin")
        return qs if request.user.is_superuser else qs.none()

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
