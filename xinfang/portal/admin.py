"""Admin of the portal app: Open311 clients (keys are issued by ``create_open311_client``)
and the petition offices' public information."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.portal.models import OfficeProfile, Open311Client
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


@admin.register(OfficeProfile)
class OfficeProfileAdmin(ScopedAdmin):
    """The petition office's public information (条例 Art. 18), edited by administrators of
    the office's subtree; every save is audited."""

    list_display = ("unit", "complaint_phone", "open311_anonymous", "order")
    fields = (
        "unit",
        "address",
        "complaint_phone",
        "reception_hours",
        "reception_places",
        "schedule_units",
        "open311_anonymous",
        "order",
    )
    filter_horizontal = ("schedule_units",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            obj=obj,
            after={name: str(form.cleaned_data.get(name, "")) for name in form.changed_data},
        )
