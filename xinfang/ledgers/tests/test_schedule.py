"""Due dates across the 2026 holidays (pure functions, no database)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from xinfang.ledgers import schedule
from xinfang.ledgers.choices import Cadence, ReportKind

TZ = ZoneInfo("Asia/Shanghai")


def spec(cadence: str, start: date, end: date, **kw: object) -> schedule.ObligationSpec:
    return schedule.ObligationSpec(cadence, start, end, time(16, 0), **kw)  # type: ignore[arg-type]


def test_holiday_windows_of_2026_match_the_state_council_schedule(cal):
    windows = {
        w.name: (w.first_day, w.last_day)
        for w in schedule.holiday_windows(cal, date(2026, 1, 1), date(2026, 12, 31))
    }
    assert windows["春节"] == (date(2026, 2, 15), date(2026, 2, 23))
    assert windows["劳动节"] == (date(2026, 5, 1), date(2026, 5, 5))
    assert windows["国庆节"] == (date(2026, 10, 1), date(2026, 10, 7))


def test_pre_spring_festival_round_is_due_on_the_make_up_saturday(cal):
    assert schedule.pre_period_due(date(2026, 2, 15), cal) == date(2026, 2, 14)


def test_pre_national_day_round_is_due_on_the_last_working_day_before(cal):
    assert schedule.pre_period_due(date(2026, 10, 1), cal) == date(2026, 9, 30)
    assert schedule.pre_period_due(date(2026, 5, 1), cal) == date(2026, 4, 30)


def test_half_monthly_round_ending_in_spring_festival_moves_to_next_working_day(cal):
    windows = schedule.periods(Cadence.HALF_MONTHLY, date(2026, 2, 1), date(2026, 2, 28))
    assert windows == [
        (date(2026, 2, 1), date(2026, 2, 15)),
        (date(2026, 2, 16), date(2026, 2, 28)),
    ]
    assert schedule.screening_due(date(2026, 2, 15), cal) == date(2026, 2, 24)
    # 28 February is a Saturday but a make-up working day: due that day.
    assert schedule.screening_due(date(2026, 2, 28), cal) == date(2026, 2, 28)


def test_monthly_round_ending_on_a_weekend_moves_to_monday(cal):
    assert schedule.screening_due(date(2026, 10, 31), cal) == date(2026, 11, 2)
    assert schedule.screening_due(date(2026, 9, 30), cal) == date(2026, 9, 30)


def test_default_cadence_is_half_monthly_for_townships_and_weekly_in_campaigns():
    assert schedule.default_screening_cadence("township") == Cadence.HALF_MONTHLY
    assert schedule.default_screening_cadence("department") == Cadence.MONTHLY
    assert schedule.default_screening_cadence("village", in_campaign=True) == Cadence.WEEKLY


def test_weekly_friday_report_in_holiday_weeks_moves_to_next_working_day(cal):
    dues = schedule.report_schedule(
        spec(Cadence.WEEKLY, date(2026, 2, 9), date(2026, 2, 22)), cal, TZ
    )
    assert [d.due_at for d in dues] == [
        datetime(2026, 2, 13, 16, 0, tzinfo=TZ),
        datetime(2026, 2, 24, 16, 0, tzinfo=TZ),  # Fri 20 Feb is Spring Festival
    ]
    labour = schedule.report_schedule(
        spec(Cadence.WEEKLY, date(2026, 4, 27), date(2026, 5, 3)), cal, TZ
    )
    assert labour[0].due_at.date() == date(2026, 5, 6)
    national = schedule.report_schedule(
        spec(Cadence.WEEKLY, date(2026, 9, 28), date(2026, 10, 11)), cal, TZ
    )
    assert [d.due_at.date() for d in national] == [date(2026, 10, 8), date(2026, 10, 9)]


def test_daily_report_is_due_every_day_of_the_holiday(cal):
    dues = schedule.report_schedule(
        spec(Cadence.DAILY, date(2026, 10, 1), date(2026, 10, 7)), cal, TZ
    )
    assert [d.due_at.date().day for d in dues] == [1, 2, 3, 4, 5, 6, 7]


def test_working_day_daily_report_follows_make_up_days(cal):
    dues = schedule.report_schedule(
        spec(Cadence.DAILY, date(2026, 2, 13), date(2026, 3, 1), working_days_only=True), cal, TZ
    )
    days = [d.due_at.date() for d in dues]
    assert date(2026, 2, 14) in days and date(2026, 2, 28) in days
    assert not any(date(2026, 2, 15) <= d <= date(2026, 2, 23) for d in days)
    may = schedule.report_schedule(
        spec(Cadence.DAILY, date(2026, 5, 1), date(2026, 5, 10), working_days_only=True), cal, TZ
    )
    assert [d.due_at.date() for d in may] == [
        date(2026, 5, 6),
        date(2026, 5, 7),
        date(2026, 5, 8),
        date(2026, 5, 9),
    ]
    sept = schedule.report_schedule(
        spec(Cadence.DAILY, date(2026, 9, 19), date(2026, 9, 20), working_days_only=True), cal, TZ
    )
    assert [d.due_at.date() for d in sept] == [date(2026, 9, 20)]


def test_monthly_report_with_working_day_offset_skips_national_day(cal):
    dues = schedule.report_schedule(
        spec(Cadence.MONTHLY, date(2026, 9, 1), date(2026, 9, 30), due_offset_working_days=3),
        cal,
        TZ,
    )
    # 9-30 + 3 working days: 10-8, 10-9, 10-10 (make-up Saturday).
    assert dues[0].due_at.date() == date(2026, 10, 10)


def test_urgent_reports_count_clock_hours_through_the_holiday():
    event = datetime(2026, 10, 1, 23, 30, tzinfo=TZ)
    assert schedule.urgent_due(ReportKind.URGENT_MAJOR, event) == datetime(
        2026, 10, 2, 0, 30, tzinfo=TZ
    )
    assert schedule.urgent_due(ReportKind.WARNING_FEEDBACK, event) == datetime(
        2026, 10, 2, 1, 30, tzinfo=TZ
    )


def test_missing_meeting_periods_only_count_weeks_that_have_ended():
    held = [date(2026, 9, 29), date(2026, 10, 13)]
    missing = schedule.missing_periods(
        Cadence.WEEKLY, date(2026, 9, 28), date(2026, 10, 25), held, date(2026, 10, 21)
    )
    assert missing == [(date(2026, 10, 5), date(2026, 10, 11))]
