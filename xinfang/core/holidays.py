"""Entering a year's official holiday schedule, as the State Council's notice states it.

Each year the General Office of the State Council publishes 《关于 Y 年部分节假日安排的通知》:
the holidays (放假) with their first and last day, and the weekend days worked in exchange
(调休上班). An administrator transcribes it as YAML::

    year: 2031
    source: 国务院办公厅关于2031年部分节假日安排的通知
    holidays:
      - {name: 元旦, from: 2031-01-01, to: 2031-01-01}
    workdays: [2031-01-26]

:func:`parse_notice` validates the text and reports every problem with its line;
:func:`enter_year` writes the year (one transaction, audited) and recomputes every due date
left pending until the year was known. ``xinfang holidays load`` and the admin's form both
go through these two functions. Nothing here ever guesses a schedule: a year is entered
only from the notice, and a notice with no holidays must be confirmed as such.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from django.db import transaction
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, Strict
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from xinfang.core import audit
from xinfang.core.calendar import (
    LegalCalendar,
    build_calendar,
    legal_calendar,
    recompute_pending_dues,
)
from xinfang.core.errors import HolidayNoticeInvalid
from xinfang.core.models import AuditAction, CalendarDay, CalendarYear
from xinfang.core.yaml_lines import (
    YamlSyntaxError,
    field_path,
    line_of,
    load_located,
    validation_errors,
)

__all__ = [
    "WORKDAY_NAME",
    "EnterResult",
    "GridDay",
    "GridMonth",
    "HolidayNotice",
    "HolidayRange",
    "delete_calendar_day",
    "enter_year",
    "entry_problems",
    "parse_notice",
    "save_calendar_day",
    "weekday_zh",
    "year_grid",
    "years_without_holidays",
]

WORKDAY_NAME = "调休上班"
WEEKDAYS_ZH = "一二三四五六日"


def weekday_zh(day: date) -> str:
    """``周三`` for a Wednesday."""
    return f"周{WEEKDAYS_ZH[day.weekday()]}"


def _as_date(value: Any) -> Any:
    # YAML reads 2031-01-01 as a date already; a quoted "2031-01-01" is accepted too. Any
    # other value goes on unchanged to the strict date check, which refuses it (lax pydantic
    # would read an integer as a Unix timestamp).
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


NoticeDate = Annotated[date, Strict(), BeforeValidator(_as_date)]


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not silently drop a holiday."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HolidayRange(_Strict):
    """One holiday of the notice: its name and its first and last day off."""

    name: str = Field(min_length=1, max_length=50)
    start: NoticeDate = Field(alias="from")
    end: NoticeDate = Field(alias="to")

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class HolidayNotice(_Strict):
    """A year's notice as transcribed; valid once :func:`parse_notice` returned it."""

    year: Annotated[int, Strict()] = Field(ge=1949, le=2100)
    source: str = Field(min_length=1, max_length=100)
    holidays: list[HolidayRange] = Field(default_factory=list)
    workdays: list[NoticeDate] = Field(default_factory=list)
    # Lines of the YAML, kept for the problems found when entering (year already entered,
    # no holidays), which only the database or the caller's confirmation can decide.
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    def rows(self) -> list[tuple[date, bool, str]]:
        """The ``CalendarDay`` rows: every holiday day (weekends included, so pages can name
        them) as a rest day, every make-up day as a working day."""
        rows = [(day, False, h.name) for h in self.holidays for day in h.days()]
        rows += [(day, True, WORKDAY_NAME) for day in self.workdays]
        return sorted(rows)

    def calendar(self) -> LegalCalendar:
        """The legal calendar of this year alone, as it will be once entered."""
        return build_calendar(self.rows(), [self.year])

    def line(self, key: str) -> int:
        return self._lines.get(key, 1)


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段（可能拼写有误）",
    "date_type": "必须是日期，格式 YYYY-MM-DD",
    "int_type": "必须是整数",
    "string_type": "必须是文字",
    "list_type": "必须是列表",
    "model_type": "必须是映射（键: 值）",
    "dict_type": "必须是映射（键: 值）",
    "model_attributes_type": "必须是映射（键: 值）",
}


def _message_zh(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字"
    if kind in ("greater_than_equal", "less_than_equal"):
        return "年份超出范围（1949–2100）"
    return _MESSAGES.get(kind, err["msg"])


def parse_notice(text: str) -> HolidayNotice:
    """Validate a transcribed notice; raise :class:`HolidayNoticeInvalid` listing all problems.

    Beyond the shape: every date inside the year; ``from`` not after ``to``; holidays not
    overlapping; make-up working days on a Saturday or Sunday and not inside a holiday.
    """
    try:
        data = load_located(text)
    except YamlSyntaxError as exc:
        raise HolidayNoticeInvalid([(exc.line, f"YAML 格式错误：{exc.problem}")]) from exc
    if not isinstance(data, dict):
        raise HolidayNoticeInvalid([(1, "内容必须是一个映射（year、source、holidays、workdays）")])
    try:
        notice = HolidayNotice.model_validate(data)
    except PydanticValidationError as exc:
        problems = [
            (
                line_of(data, loc),
                f"{field_path(data, loc, label_key='name') or '(顶层)'}: {_message_zh(err)}",
            )
            for loc, err in validation_errors(exc)
        ]
        raise HolidayNoticeInvalid(sorted(problems, key=lambda p: p[0])) from exc
    notice._lines.update(year=line_of(data, ("year",)), holidays=line_of(data, ("holidays",)))
    problems = _schedule_problems(notice, data)
    if problems:
        raise HolidayNoticeInvalid(sorted(problems, key=lambda p: p[0]))
    return notice


def _schedule_problems(notice: HolidayNotice, data: Any) -> list[tuple[int, str]]:
    year = notice.year
    problems: list[tuple[int, str]] = []

    def at(*loc: int | str) -> int:
        return line_of(data, loc)

    for i, h in enumerate(notice.holidays):
        for key, day in (("from", h.start), ("to", h.end)):
            if day.year != year:
                problems.append(
                    (at("holidays", i, key), f"“{h.name}”的日期 {day} 不在 {year} 年内")
                )
        if h.start > h.end:
            problems.append(
                (at("holidays", i, "to"), f"“{h.name}”的结束日 {h.end} 早于开始日 {h.start}")
            )
    for i, h in enumerate(notice.holidays):
        for j in range(i):
            other = notice.holidays[j]
            if h.start <= other.end and other.start <= h.end:
                problems.append(
                    (
                        at("holidays", i),
                        f"“{h.name}”（{h.start} 至 {h.end}）与第 {at('holidays', j)} 行的"
                        f"“{other.name}”（{other.start} 至 {other.end}）重叠",
                    )
                )
    seen: dict[date, int] = {}
    for i, day in enumerate(notice.workdays):
        line = at("workdays", i)
        if day.year != year:
            problems.append((line, f"调休上班日 {day} 不在 {year} 年内"))
        if day.weekday() < 5:
            problems.append(
                (line, f"调休上班日 {day} 是{weekday_zh(day)}：调休上班日只能是周六或周日")
            )
        for h in notice.holidays:
            if h.start <= day <= h.end:
                problems.append(
                    (line, f"调休上班日 {day} 在“{h.name}”假期（{h.start} 至 {h.end}）之内")
                )
        if day in seen:
            problems.append((line, f"调休上班日 {day} 重复（第 {seen[day]} 行已列出）"))
        seen.setdefault(day, line)
    return problems


def entry_problems(
    notice: HolidayNotice, *, replace: bool = False, confirm_no_holidays: bool = False
) -> list[tuple[int, str]]:
    """What stops ``notice`` from being entered as asked (the database and the caller decide).

    A year already entered is replaced only on request; a notice without holidays is
    accepted only when confirmed, since an empty list is far more often a transcription
    slip than a year without holidays, and would silently treat the year as plain
    Monday–Friday.
    """
    problems: list[tuple[int, str]] = []
    if not replace:
        entered = CalendarYear.objects.filter(year=notice.year).first()
        if entered is not None:
            problems.append(
                (
                    notice.line("year"),
                    f"{notice.year} 年的节假日安排已录入（来源：{entered.source or '未注明'}）；"
                    "如确需替换，请选择“替换已录入的安排”（命令行 --replace）",
                )
            )
        else:
            stray = CalendarDay.objects.filter(date__year=notice.year).count()
            if stray:
                problems.append(
                    (
                        notice.line("year"),
                        f"{notice.year} 年已有 {stray} 条节假日/调休日记录，"
                        "但该年度未标记为已覆盖；"
                        "如确需替换，请选择“替换已录入的安排”（命令行 --replace）",
                    )
                )
    if not notice.holidays and not confirm_no_holidays:
        problems.append(
            (
                notice.line("holidays"),
                f"{notice.year} 年没有列出任何节假日；若通知确实如此，请明确确认"
                "（命令行 --confirm-no-holidays）",
            )
        )
    return problems


@dataclass(frozen=True)
class EnterResult:
    """What :func:`enter_year` wrote, removed and recomputed."""

    year: int
    holiday_days: int
    workdays: int
    removed: int
    replaced: bool
    recomputed: dict[str, int]


def _summary(source: str, rows: list[tuple[date, bool, str]]) -> dict[str, Any]:
    return {
        "source": source,
        "days": [f"{day} {'上班' if working else '休息'} {name}" for day, working, name in rows],
    }


@transaction.atomic
def enter_year(
    notice: HolidayNotice,
    *,
    actor: Any,
    replace: bool = False,
    confirm_no_holidays: bool = False,
) -> EnterResult:
    """Write ``notice``'s year, audited, and recompute every pending due date at once.

    With ``replace`` the year's old rows are removed first. Recomputing runs in the same
    transaction, so the year and the due dates it decides are committed together.
    """
    year_row = CalendarYear.objects.select_for_update().filter(year=notice.year).first()
    problems = entry_problems(notice, replace=replace, confirm_no_holidays=confirm_no_holidays)
    if problems:
        raise HolidayNoticeInvalid(problems)
    old_days = CalendarDay.objects.filter(date__year=notice.year).order_by("date")
    old_rows = list(old_days.values_list("date", "is_working_day", "name"))
    before = (
        _summary(year_row.source if year_row else "", old_rows) if old_rows or year_row else None
    )
    removed, _ = old_days.delete()
    rows = notice.rows()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, is_working_day=working, name=name) for day, working, name in rows]
    )
    if year_row is None:
        year_row = CalendarYear.objects.create(year=notice.year, source=notice.source)
    else:
        year_row.source = notice.source
        year_row.save(update_fields=["source"])
    recomputed = recompute_pending_dues(legal_calendar())
    result = EnterResult(
        year=notice.year,
        holiday_days=sum(1 for _, working, _ in rows if not working),
        workdays=sum(1 for _, working, _ in rows if working),
        removed=removed,
        replaced=before is not None,
        recomputed=recomputed,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE if before is not None else AuditAction.CREATE,
        obj=year_row,
        before=before,
        after=_summary(notice.source, rows),
        detail={
            "holiday_days": result.holiday_days,
            "workdays": result.workdays,
            "removed": removed,
            "recomputed": recomputed,
        },
    )
    return result


def years_without_holidays(cal: LegalCalendar) -> list[int]:
    """Covered years with not a single rest day entered: almost surely never transcribed.

    ``LegalCalendar`` treats such a year as plain Monday–Friday; consumers that must not
    (the system check, the admin) ask here.
    """
    with_rest = {day.year for day, working in cal.exceptions.items() if not working}
    return sorted(set(cal.covered_years) - with_rest)


@dataclass(frozen=True)
class GridDay:
    """One cell of the year grid: ``kind`` is work, rest, holiday, makeup or "" (padding)."""

    day: date | None
    kind: str
    name: str = ""


@dataclass(frozen=True)
class GridMonth:
    month: int
    weeks: list[list[GridDay]]


def year_grid(cal: LegalCalendar, year: int) -> list[GridMonth]:
    """Twelve months of ``year`` (weeks from Monday) as ``cal`` classifies each day."""
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(GridDay(None, ""))
                    continue
                working = cal.is_working_day(day)
                name = cal.names.get(day, "")
                if working:
                    kind = "makeup" if day.weekday() >= 5 else "work"
                else:
                    kind = "holiday" if name else "rest"
                cells.append(GridDay(day, kind, name))
            weeks.append(cells)
        months.append(GridMonth(month, weeks))
    return months


def describe_year(rows: list[tuple[date, bool, str]]) -> list[str]:
    """An entered year's rows as a person reads the notice: holidays as ranges, then the
    make-up working days, each with its weekday."""
    lines: list[str] = []
    runs: list[tuple[str, date, date]] = []
    for day, working, name in sorted(rows):
        if working:
            continue
        label = name or "休息日"
        if runs and runs[-1][0] == label and runs[-1][2] + timedelta(days=1) == day:
            runs[-1] = (label, runs[-1][1], day)
        else:
            runs.append((label, day, day))
    for label, first, last in runs:
        span = (last - first).days + 1
        lines.append(f"放假 {label}：{first} 至 {last}（共 {span} 天）")
    for day, working, name in sorted(rows):
        if working:
            lines.append(f"{name or WORKDAY_NAME}：{day}（{weekday_zh(day)}）")
    return lines


@transaction.atomic
def save_calendar_day(*, actor: Any, day: CalendarDay) -> CalendarDay:
    """One holiday or make-up working day added or corrected by hand (the admin), audited
    with before and after. A whole year is entered with :func:`enter_year` instead."""
    stored = CalendarDay.objects.filter(pk=day.pk).first() if day.pk is not None else None
    before = audit.snapshot(stored) if stored is not None else None
    day.full_clean()
    day.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.CHANGE,
        obj=day,
        before=before,
        after=audit.snapshot(day),
    )
    return day


@transaction.atomic
def delete_calendar_day(*, actor: Any, day: CalendarDay) -> None:
    audit.record(actor=actor, action=AuditAction.DELETE, obj=day, before=audit.snapshot(day))
    day.delete()
