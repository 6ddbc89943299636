"""Entering a year's holiday schedule: the notice's validation, ``xinfang holidays``, the
recomputation of pending due dates. Every schedule here is fictional (2030, 2031)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.core.calendar import build_calendar, legal_calendar
from xinfang.core.errors import HolidayNoticeInvalid
from xinfang.core.holidays import enter_year, parse_notice, years_without_holidays
from xinfang.core.models import AuditAction, AuditEntry, CalendarDay, CalendarYear
from xinfang.shell.testing import Cast

# A fictional notice; the line of each entry matters to the tests below.
NOTICE_2031 = """\
year: 2031
source: 虚构的2031年节假日安排（测试用）
holidays:
  - {name: 元旦, from: 2031-01-01, to: 2031-01-01}
  - {name: 测试假, from: 2031-01-20, to: 2031-01-22}
  - {name: 国庆节, from: 2031-10-01, to: 2031-10-07}
workdays: [2031-09-28, 2031-10-11]
"""

NOTICE_2030 = """\
year: 2030
source: 虚构的2030年节假日安排（测试用）
holidays:
  - {name: 元旦, from: 2030-01-01, to: 2030-01-01}
"""


def load(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "notice.yaml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("holidays", "load", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(tmp_path: Path, text: str, *args: str) -> list[str]:
    """The ``FILE:LINE: message`` lines of a load that must exit 2."""
    path = tmp_path / "notice.yaml"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("holidays", "load", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 2
    lines = err.getvalue().splitlines()
    assert lines and all(line.startswith(f"{path}:") for line in lines), lines
    return [line.removeprefix(f"{path}:") for line in lines]


@pytest.mark.django_db
def test_load_enters_holidays_and_makeup_working_days(tmp_path: Path) -> None:
    out = load(tmp_path, NOTICE_2031)
    assert "已录入 2031 年节假日安排" in out and "放假 11 天，调休上班 2 天" in out
    year = CalendarYear.objects.get(year=2031)
    assert year.source == "虚构的2031年节假日安排（测试用）"
    rows = CalendarDay.objects.filter(date__year=2031)
    assert rows.filter(is_working_day=False).count() == 11
    assert rows.get(date=date(2031, 10, 4)).name == "国庆节"  # a Saturday inside a holiday
    makeup = rows.get(date=date(2031, 9, 28))
    assert makeup.is_working_day and makeup.name == "调休上班"
    cal = legal_calendar()
    assert not cal.is_working_day(date(2031, 1, 21))
    assert cal.is_working_day(date(2031, 10, 11))  # a Saturday worked


def test_load_refuses_a_date_outside_the_year() -> None:
    text = NOTICE_2031.replace("from: 2031-01-01", "from: 2030-12-31")
    with pytest.raises(HolidayNoticeInvalid) as exc:
        parse_notice(text)
    assert exc.value.problems == [(4, "“元旦”的日期 2030-12-31 不在 2031 年内")]


def test_load_refuses_a_makeup_workday_outside_the_year(tmp_path: Path) -> None:
    text = NOTICE_2031.replace("2031-10-11]", "2030-10-12]")
    assert refused(tmp_path, text) == ["7: 调休上班日 2030-10-12 不在 2031 年内"]


def test_load_refuses_a_holiday_ending_before_it_starts(tmp_path: Path) -> None:
    text = NOTICE_2031.replace(
        "from: 2031-01-20, to: 2031-01-22", "from: 2031-01-22, to: 2031-01-20"
    )
    assert refused(tmp_path, text) == ["5: “测试假”的结束日 2031-01-20 早于开始日 2031-01-22"]


def test_load_refuses_overlapping_holidays(tmp_path: Path) -> None:
    text = NOTICE_2031.replace(
        "from: 2031-01-01, to: 2031-01-01", "from: 2031-01-01, to: 2031-01-20"
    )
    (problem,) = refused(tmp_path, text)
    assert problem.startswith("5: “测试假”（2031-01-20 至 2031-01-22）与第 4 行的“元旦”")
    assert problem.endswith("重叠")


def test_load_refuses_makeup_workday_on_a_weekday(tmp_path: Path) -> None:
    text = NOTICE_2031.replace("2031-09-28", "2031-09-29")
    assert refused(tmp_path, text) == [
        "7: 调休上班日 2031-09-29 是周一：调休上班日只能是周六或周日"
    ]


def test_load_refuses_makeup_workday_inside_a_holiday(tmp_path: Path) -> None:
    text = NOTICE_2031.replace("2031-10-11]", "2031-10-05]")
    assert refused(tmp_path, text) == [
        "7: 调休上班日 2031-10-05 在“国庆节”假期（2031-10-01 至 2031-10-07）之内"
    ]


def test_load_refuses_unknown_keys_with_their_line(tmp_path: Path) -> None:
    text = NOTICE_2031.replace("to: 2031-01-22}", "to: 2031-01-22, days: 3}") + "note: 备注\n"
    assert refused(tmp_path, text) == [
        "5: holidays[1](name 测试假).days: 不允许的字段（可能拼写有误）",  # fullwidth: keep
        "8: note: 不允许的字段（可能拼写有误）",
    ]


def test_load_refuses_a_missing_source_and_a_date_that_is_not_a_date(tmp_path: Path) -> None:
    text = NOTICE_2031.replace("source: 虚构的2031年节假日安排（测试用）\n", "").replace(
        "2031-10-07", "国庆后"
    )
    assert refused(tmp_path, text) == [
        "1: source: 缺少必填字段",
        "5: holidays[2](name 国庆节).to: 必须是日期，格式 YYYY-MM-DD",  # fullwidth: keep
    ]


def test_load_refuses_broken_yaml_with_its_line(tmp_path: Path) -> None:
    text = NOTICE_2031.replace("  - {name: 测试假,", "  - {name: 测试假,,]")  # fullwidth: keep
    (problem,) = refused(tmp_path, text)
    assert problem.startswith("5: YAML 格式错误")


def test_load_refuses_a_repeated_key(tmp_path: Path) -> None:
    (problem,) = refused(tmp_path, NOTICE_2031 + "year: 2032\n")
    assert problem.startswith("8: YAML 格式错误：重复的键 'year'")


@pytest.mark.django_db
def test_load_refuses_a_year_without_holidays_unless_confirmed(tmp_path: Path) -> None:
    text = "year: 2031\nsource: 虚构通知\nholidays: []\n"
    (problem,) = refused(tmp_path, text)
    assert problem.startswith("3: 2031 年没有列出任何节假日") and "--confirm-no-holidays" in problem
    assert not CalendarYear.objects.filter(year=2031).exists()
    load(tmp_path, text, "--confirm-no-holidays")
    assert CalendarYear.objects.filter(year=2031).exists()


@pytest.mark.django_db
def test_load_refuses_a_year_already_entered_unless_replace(tmp_path: Path) -> None:
    load(tmp_path, NOTICE_2031)
    (problem,) = refused(tmp_path, NOTICE_2031.replace("（测试用）", "（更正）"))
    assert problem.startswith("1: 2031 年的节假日安排已录入") and "--replace" in problem
    assert CalendarYear.objects.get(year=2031).source.endswith("（测试用）")


@pytest.mark.django_db
def test_load_refuses_stray_rows_of_a_year_not_marked_covered(tmp_path: Path) -> None:
    CalendarDay.objects.create(date=date(2031, 5, 1), is_working_day=False, name="单日录入")
    (problem,) = refused(tmp_path, NOTICE_2031)
    assert problem.startswith("1: 2031 年已有 1 条节假日/调休日记录")


@pytest.mark.django_db
def test_replace_removes_the_old_rows_of_that_year_only(tmp_path: Path) -> None:
    load(tmp_path, NOTICE_2031)
    corrected = NOTICE_2031.replace("  - {name: 测试假, from: 2031-01-20, to: 2031-01-22}\n", "")
    out = load(tmp_path, corrected.replace("（测试用）", "（更正）"), "--replace")
    assert "已替换原有记录 13 条" in out
    assert not CalendarDay.objects.filter(date=date(2031, 1, 21)).exists()
    assert CalendarDay.objects.filter(date__year=2031).count() == 10
    assert CalendarYear.objects.get(year=2031).source.endswith("（更正）")
    assert CalendarDay.objects.filter(date__year=2026).exists()  # other years untouched


@pytest.mark.django_db
def test_entering_a_year_writes_one_audit_entry(cast: Cast) -> None:
    admin = cast.user_with("administrator", cast.county)
    result = enter_year(parse_notice(NOTICE_2031), actor=admin)
    entry = AuditEntry.objects.get(object_type="core.calendaryear")
    assert entry.actor == admin and entry.action == AuditAction.CREATE and entry.before is None
    assert "2031-09-28 上班 调休上班" in entry.after["days"]
    assert entry.detail["holiday_days"] == result.holiday_days == 11
    enter_year(parse_notice(NOTICE_2031), actor=admin, replace=True)
    replaced = AuditEntry.objects.filter(object_type="core.calendaryear").last()
    assert replaced is not None and replaced.action == AuditAction.CHANGE
    assert replaced.before is not None and len(replaced.before["days"]) == 13


@pytest.mark.django_db
def test_refused_entry_writes_nothing(tmp_path: Path) -> None:
    refused(tmp_path, "year: 2031\nsource: 虚构通知\n")
    assert not CalendarYear.objects.filter(year=2031).exists()
    assert not AuditEntry.objects.filter(object_type="core.calendaryear").exists()


@pytest.mark.django_db
def test_load_recomputes_pending_due_dates_and_prints_counts(tmp_path: Path, cast: Cast) -> None:
    from xinfang.petitions.choices import Status
    from xinfang.petitions.tests.factories import make_petition, refresh
    from xinfang.petitions.tests.fixtures import unit_staff
    from xinfang.petitions.workflow import transition

    load(tmp_path, NOTICE_2030)
    staff = unit_staff(cast)
    with time_machine.travel("2030-11-22 10:00 +0800", tick=False):
        p = make_petition(cast)
        p = transition(p, Status.ACCEPTED, actor=staff["handler_a"])
    # 22 Nov 2030 + 60 days = 21 Jan 2031, in a year not entered yet.
    assert p.handle_due is None and p.deadline_pending
    out = load(tmp_path, NOTICE_2031)
    assert "信访事项：1 条期限已更新" in out and "督办通知：0 条期限已更新" in out
    # 21 Jan 2031 is inside the fictional 测试假 (20–22 Jan) → Thu 23 Jan.
    assert refresh(p).handle_due == date(2031, 1, 23)


@pytest.mark.django_db
def test_show_lists_the_entered_year(tmp_path: Path) -> None:
    load(tmp_path, NOTICE_2031)
    out = io.StringIO()
    call_command("holidays", "show", "2031", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2031 年节假日安排（来源：虚构的2031年节假日安排（测试用））"
    assert "放假 测试假：2031-01-20 至 2031-01-22（共 3 天）" in lines
    assert "调休上班：2031-09-28（周日）" in lines


@pytest.mark.django_db
def test_show_of_a_year_not_entered_exits_1() -> None:
    with pytest.raises(CommandError) as exc:
        call_command("holidays", "show", "2031", stdout=io.StringIO())
    assert exc.value.returncode == 1 and "尚未录入" in str(exc.value)


def test_a_covered_year_without_rest_days_is_named() -> None:
    cal = build_calendar(
        [(date(2030, 1, 1), False, "元旦"), (date(2031, 1, 4), True, "")], [2030, 2031]
    )
    assert years_without_holidays(cal) == [2031]


@pytest.mark.django_db
def test_deploy_check_warns_of_a_covered_year_without_holidays(tmp_path: Path) -> None:
    from django.core.checks import run_checks

    def warnings() -> list[str]:
        found = run_checks(tags=["calendar"], include_deployment_checks=True)
        return [w.id for w in found if "2031" in w.msg]

    assert warnings() == []
    load(tmp_path, "year: 2031\nsource: 虚构通知\n", "--confirm-no-holidays")
    assert warnings() == ["xinfang.W101"]
    load(tmp_path, NOTICE_2031, "--replace")
    assert warnings() == []
