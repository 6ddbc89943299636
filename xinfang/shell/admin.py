"""The admin registrations of core's models (the calendar, the audit log) and, through
``org_admin``, of org's: the admin site belongs to the shell, above both."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from xinfang.core.calendar import legal_calendar
from xinfang.core.errors import HolidayNoticeInvalid
from xinfang.core.forms import HolidayNoticeForm
from xinfang.core.holidays import (
    EnterResult,
    delete_calendar_day,
    enter_year,
    entry_problems,
    parse_notice,
    save_calendar_day,
    year_grid,
    years_without_holidays,
)
from xinfang.core.models import AuditAction, AuditEntry, CalendarDay, CalendarYear
from xinfang.shell import org_admin  # noqa: F401 - registers units, accounts and grants
from xinfang.shell.admin_site import RootAdminOnly
from xinfang.shell.audit_visibility import visible_audit_entries


@admin.register(CalendarDay)
class CalendarDayAdmin(RootAdminOnly):
    list_display = ("date", "name", "is_working_day")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"

    # Written through the audited services, like a whole year entered from the notice.
    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        save_calendar_day(actor=request.user, day=obj)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        delete_calendar_day(actor=request.user, day=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            delete_calendar_day(actor=request.user, day=day)


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
                f"{year} 年已标记为已覆盖，但没有任何节假日记录，期限将按普通周一至周五计算；"
                "请按国务院办公厅通知重新录入（勾选“替换已录入的安排”）。",
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
        f"已录入 {result.year} 年节假日安排：放假 {result.holiday_days} 天，"
        f"调休上班 {result.workdays} 天；重新计算的待定期限：{recomputed or '无'}。"
    )


# Column and field labels of the audit log. They are given here rather than as the model's
# verbose names so the audit model (and its migrations) stay as they are.
AUDIT_LABELS = {
    "seq": "序号",
    "created_at": "时间",
    "actor_label": "操作人",
    "action": "操作",
    "object_type": "对象类型",
    "object_id": "对象编号",
    "object_repr": "对象",
    "before": "修改前",
    "after": "修改后",
    "detail": "详情",
    "ip": "来源地址",
    "prev_hash": "前一条哈希",
    "entry_hash": "本条哈希",
}


def _audit_column(name: str) -> Any:
    def column(obj: AuditEntry) -> Any:
        value = getattr(obj, name)
        return obj.get_action_display() if name == "action" else value

    column.__name__ = f"audit_{name}"
    return admin.display(description=AUDIT_LABELS[name], ordering=name)(column)


AUDIT_COLUMNS = {name: _audit_column(name) for name in AUDIT_LABELS}


class AuditActionFilter(admin.SimpleListFilter):
    title = AUDIT_LABELS["action"]
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return AuditAction.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(RootAdminOnly):
    list_display = tuple(
        AUDIT_COLUMNS[n]
        for n in ("seq", "created_at", "actor_label", "action", "object_type", "object_repr")
    )
    fields = readonly_fields = tuple(AUDIT_COLUMNS.values())
    list_filter = (AuditActionFilter,)
    search_fields = ("object_repr", "actor_label", "object_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The same rule as the audit list page: by the visibility of each entry's object.
        return visible_audit_entries(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # The page's subtitle in words (the entry's own str() is for logs: "#12 create …").
        entry = self.get_queryset(request).filter(pk=object_id).first()
        if entry is not None:
            extra_context = {
                **(extra_context or {}),
                "subtitle": f"第 {entry.seq} 条 · {entry.get_action_display()}",
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
