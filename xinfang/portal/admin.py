"""Admin of the portal app: Open311 clients (keys are issued by ``create_open311_client``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xinfang.portal.models import Open311Client
from xinfang.shell.admin_site import ScopedAdmin


@admin.register(Open311Client)
class Open311ClientAdmin(ScopedAdmin):
    """Administrators see and switch off the clients of their subtree; a new key is issued
    on the command line, where it is shown once."""

    list_display = (
        "name",
        "unit",
        "key_prefix",
        "is_active",
        "trusted",
        "created_at",
        "last_used_at",
    )
    list_filter = ("is_active", "trusted")
    search_fields = ("name", "key_prefix")
    fields = ("name", "unit", "key_prefix", "is_active", "trusted", "created_at", "last_used_at")
    readonly_fields = ("unit", "key_prefix", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
