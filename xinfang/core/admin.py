from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from xinfang.core.admin_site import RootAdminOnly
from xinfang.core.models import AuditEntry, CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(RootAdminOnly):
    list_display = ("date", "name", "is_working_day")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(RootAdminOnly):
    list_display = ("year", "source")


@admin.register(AuditEntry)
class AuditEntryAdmin(RootAdminOnly):
    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_label", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
