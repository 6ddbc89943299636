from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xinfang.core.admin_site import ScopedAdmin, ScopedInline
from xinfang.org.access import can
from xinfang.org.models import RoleGrant, Unit, User


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ("name", "level", "admin_code", "category", "parent", "is_active")
    list_filter = ("level", "category", "is_active")
    search_fields = ("name", "admin_code")
    raw_id_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The top of an administrator's subtree keeps its parent: moving it elsewhere
        # would reach outside the administrator's scope.
        if obj is not None and obj.parent_id and not can(request.user, "admin", obj.parent.path):
            return ("parent",)
        return ()


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
    fields = ("username", "full_name", "kind", "unit", "title", "is_active", "last_login")
    readonly_fields = ("last_login",)
    inlines = [RoleGrantInline]
