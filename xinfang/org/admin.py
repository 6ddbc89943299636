from __future__ import annotations

from django.contrib import admin

from xinfang.core.admin_site import ScopedAdmin
from xinfang.org.models import RoleGrant, Unit, User


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ("name", "level", "admin_code", "category", "parent", "is_active")
    list_filter = ("level", "category", "is_active")
    search_fields = ("name", "admin_code")
    raw_id_fields = ("parent",)


class RoleGrantInline(admin.TabularInline):
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
