from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from xinfang.core.admin_site import RootAdminOnly
from xinfang.core.audit_visibility import visible_audit_entries
from xinfang.core.calendar import legal_calendar
from xinfang.core.errors import HolidayNoticeInvalid
from xinfang.core.forms import HolidayNoticeForm
from xinfang.core.holidays import (
    EnterResult,
    enter_year,
    entry_problems,
    parse_notice,
    year_grid,
    years_without_holidays,
)
from xinfang.core.models import AuditEntry, CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(RootAdminOnly):
    list_display = ("date", "name", "is_working_day")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(RootAdminOnly):
    """Years are entered whole, from the official notice, through one form with a preview.

    A bare ``CalendarYear`` without its days would make the legal clock treat the year as
    plain Monday–Friday, so "add" leads to that form and an entered year's fields are
    read-only (a corrected notice is entered again with "replace").
    """

    list_display = ("year", "source")
    readonly_fields = ("year", "source")

    def get_urls(self) -> list[URLPattern]:
        enter = path(
            "enter/",
            self.admin_site.admin_view(self.enter_view),
            name="core_calendaryear_enter",
        )
        return [enter, *super().get_urls()]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._or_404(request)
        return HttpResponseRedirect(reverse("admin:core_calendaryear_enter"))

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self._or_404(request)
        for year in years_without_holidays(legal_calendar()):
            messages.warning(
                request,
                f"{year} 年已标记为已覆盖,但没有任何节假日记录,期限将按普通周一至周五计算;"
                "请按国务院办公厅通知重新录入(勾选“替换已录入的安排”)。",
            )
        return super().changelist_view(request, extra_context)

    def enter_view(self, request: HttpRequest) -> HttpResponse:
        """Paste the notice, preview the year as a 12-month grid, then confirm."""
        self._or_404(request)
        form = HolidayNoticeForm(request.POST or None)
        notice = None
        problems: list[tuple[int, str]] = []
        if request.method == "POST" and form.is_valid():
            options = {
                "replace": form.cleaned_data["replace"],
                "confirm_no_holidays": form.cleaned_data["confirm_no_holidays"],
            }
            try:
                notice = parse_notice(form.cleaned_data["text"])
                if "confirm" in request.POST:
                    result = enter_year(notice, actor=request.user, **options)
                    self.message_user(request, _entered_message(result), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:core_calendaryear_changelist"))
                problems = entry_problems(notice, **options)
            except HolidayNoticeInvalid as exc:
                problems = exc.problems
        context = {
            **self.admin_site.each_context(request),
            "title": "录入年度节假日安排",
            "opts": self.model._meta,
            "form": form,
            "notice": notice,
            "problems": problems,
            "grid": year_grid(notice.calendar(), notice.year) if notice else None,
            "can_confirm": notice is not None and not problems,
        }
        return TemplateResponse(request, "core/admin_enter_year.html", context)


def _entered_message(result: EnterResult) -> str:
    recomputed = ",".join(f"{label} {n} 条" for label, n in result.recomputed.items())
    return (
        f"已录入 {result.year} 年节假日安排:放假 {result.holiday_days} 天,"
        f"调休上班 {result.workdays} 天;重新计算的待定期限:{recomputed or '无'}。"
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(RootAdminOnly):
    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_label", "object_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The same rule as the audit list page: by the visibility of each entry's object.
        return visible_audit_entries(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
