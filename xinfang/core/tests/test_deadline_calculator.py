"""The deadline calculator: ``xinfang deadline`` and the reasoning it shares with the page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.core.calendar import START_DAY_COUNTED, build_calendar
from xinfang.core.deadline_reasoning import explain_deadline
from xinfang.core.errors import DeadlineError


def deadline(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().splitlines()


def deadline_exit(code: int, *args: str) -> tuple[list[str], str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("deadline", *args, stdout=out)
    assert exc.value.returncode == code
    return out.getvalue().splitlines(), str(exc.value)


@pytest.mark.django_db
def test_deadline_moves_past_national_day() -> None:
    lines = deadline("2026-09-01", "30")
    assert lines[0] == "2026-10-08"
    assert "起算日 2026-09-01（周二）不计入期间（民法典第二百零一条），自次日起算 30 日。" in lines
    assert (
        "期间最后一日 2026-10-01 为 国庆节，依民法典第二百零三条顺延至其后第一个工作日 "
        "2026-10-08（周四）。"
    ) in lines


@pytest.mark.django_db
def test_deadline_in_working_days_counts_a_makeup_working_day() -> None:
    lines = deadline("2026-09-20", "10", "--working")
    assert lines[0] == "2026-10-10"  # a Saturday worked in exchange for National Day
    assert "计入调休上班日 1 天：2026-10-10（周六，国庆节调休上班）。" in lines
    assert any(line.startswith("跳过休息日 10 天：") and "国庆节" in line for line in lines)


@pytest.mark.django_db
def test_deadline_start_day_counted_convention_ends_a_day_earlier() -> None:
    assert deadline("2026-09-10", "20")[0] == "2026-09-30"
    lines = deadline("2026-09-10", "20", "--convention", "start-day-counted")
    assert lines[0] == "2026-09-29" and "计入期间（start-day-counted 规则）" in lines[1]


@pytest.mark.django_db
def test_deadline_in_an_uncovered_year_is_pending_with_exit_3() -> None:
    lines, message = deadline_exit(3, "2026-12-10", "30")
    assert lines[0] == "pending not-before 2027-01-09"
    assert "2027 年的法定节假日安排尚未录入" in lines[-1] and "2027" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026-13-01", "3"), "不是有效日期"),
        (("2026-09-01", "三十"), "不是整数"),
        (("2026-09-01", "0"), "期限天数必须是 1 至 3660 之间的整数"),
        (("2026-09-01", "3", "--convention", "lunar"), "未知的期限计算规则"),
    ],
)
def test_deadline_bad_input_exits_2_in_chinese(args: tuple[str, ...], message: str) -> None:
    lines, text = deadline_exit(2, *args)
    assert lines == [] and message in text


# A fictional year for the pure reasoning: 2030-10-01 … 03 off, Saturday 2030-09-28 worked.
FICTION = build_calendar(
    [
        (date(2030, 9, 28), True, "调休上班"),
        (date(2030, 10, 1), False, "测试假"),
        (date(2030, 10, 2), False, "测试假"),
        (date(2030, 10, 3), False, "测试假"),
        (date(2030, 12, 31), False, "岁末测试假"),
    ],
    [2030],
)


def test_reasoning_names_a_plain_weekend_as_the_reason_to_move() -> None:
    # 2 Nov 2030 + 14 = Sat 16 Nov → Mon 18 Nov.
    r = explain_deadline(FICTION, date(2030, 11, 2), 14)
    assert r.due == date(2030, 11, 18)
    assert (
        "期间最后一日 2030-11-16 为 周六，依民法典第二百零三条顺延至其后第一个工作日" in r.steps[2]
    )
    assert r.steps[3] == "顺延经过的休息日：2030-11-16 至 2030-11-17（周末）。"


def test_reasoning_keeps_a_last_day_on_a_makeup_saturday() -> None:
    r = explain_deadline(FICTION, date(2030, 9, 18), 10)
    assert r.due == date(2030, 9, 28)
    assert "2030-09-28 虽是周六，但为调休上班日，是工作日。" in r.steps


def test_reasoning_in_working_days_skips_holidays_and_counts_the_makeup_day() -> None:
    # Working days after Thu 26 Sep: Fri 27, Sat 28 (worked), Mon 30, then 1–3 Oct off,
    # Fri 4 Oct is the fourth.
    r = explain_deadline(FICTION, date(2030, 9, 26), 4, working=True)
    assert r.due == date(2030, 10, 4)
    assert r.steps[1] == "跳过休息日 4 天：2030-09-29（周末）、2030-10-01 至 2030-10-03（测试假）。"
    assert r.steps[2] == "计入调休上班日 1 天：2030-09-28（周六，调休上班）。"


def test_reasoning_is_pending_when_the_move_reaches_an_uncovered_year() -> None:
    # 1 Dec + 30 = 31 Dec, a (fictional) holiday: the next working day is in 2031.
    r = explain_deadline(FICTION, date(2030, 12, 1), 30)
    assert r.pending and r.due is None
    assert (r.not_before, r.pending_year) == (date(2030, 12, 31), 2031)


def test_working_day_bound_ignores_the_start_day_counted_convention() -> None:
    r = explain_deadline(
        FICTION, date(2030, 12, 20), 15, working=True, convention=START_DAY_COUNTED
    )
    assert r.not_before == date(2031, 1, 4) and "start-day-counted 规则不适用" in r.steps[0]


def test_reasoning_refuses_a_period_of_no_days() -> None:
    with pytest.raises(DeadlineError):
        explain_deadline(FICTION, date(2030, 1, 1), 0)
