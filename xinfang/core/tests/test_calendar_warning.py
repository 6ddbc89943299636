"""From 1 October, administrators are told that next year's holiday schedule is missing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.core.calendar import calendar_warning
from xinfang.core.calendar_notices import queue_calendar_warning
from xinfang.core.models import CalendarYear, Message
from xinfang.org.choices import Role
from xinfang.petitions.tests.factories import make_petition
from xinfang.shell.testing import Cast, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("year_2027_not_entered")]


def test_no_warning_before_the_first_of_october() -> None:
    assert calendar_warning(date(2026, 9, 30)) is None


def test_warning_from_the_first_of_october_counts_pending_dues(cast: Cast) -> None:
    with time_machine.travel("2026-12-20 10:00 +0800", tick=False):
        make_petition(cast, received_on=date(2026, 12, 20))  # route due in 2027: pending
    warning = calendar_warning(date(2026, 10, 1))
    assert warning is not None and warning.years == (2027,)
    assert warning.pending["信访事项"] == 1
    assert "2027年法定节假日安排尚未录入" in warning.text and "已有 1 个期限待定" in warning.text


def test_no_warning_once_next_year_is_entered() -> None:
    CalendarYear.objects.create(year=2027, source="测试用虚构安排")
    assert calendar_warning(date(2026, 11, 15)) is None


def test_a_missing_current_year_is_warned_about_all_year() -> None:
    warning = calendar_warning(date(2027, 3, 1))
    assert warning is not None and warning.years == (2027,)
    assert "2027年法定节假日安排尚未录入" in warning.text


def test_the_daily_outbox_gets_one_notice_a_day(cast: Cast) -> None:
    admin = cast.user_with(Role.ADMINISTRATOR, cast.county)
    queue_calendar_warning(date(2026, 10, 2))
    queue_calendar_warning(date(2026, 10, 2))
    queue_calendar_warning(date(2026, 10, 3))
    notices = Message.objects.filter(kind="calendar")
    assert notices.count() == 2
    assert queue_calendar_warning(date(2026, 9, 2)) is None and notices.count() == 2
    # Addressed to the administrator of the top-level unit, not to every county colleague.
    assert set(notices.values_list("recipient_user", flat=True)) == {admin.pk}
    assert not notices.filter(recipient_unit__isnull=False).exists()


def test_the_daily_notice_shows_on_the_administrators_panel_until_read(cast: Cast) -> None:
    admin = cast.user_with(Role.ADMINISTRATOR, cast.county)
    with time_machine.travel("2026-10-09 10:00 +0800", tick=True):
        queue_calendar_warning()
        client = Client()
        sign_in(client, admin)
        note = Message.objects.get(kind="calendar")
        panel = client.get(reverse("dashboard")).content.decode()
        assert f"{note.created_at:%Y-%m-%d}:{note.text}" in panel
        client.post(reverse("org:inbox_read"), {"id": note.pk})
        panel = client.get(reverse("dashboard")).content.decode()
        assert f"{note.created_at:%Y-%m-%d}:{note.text}" not in panel


def test_administrator_dashboard_shows_the_warning_and_others_do_not(cast: Cast) -> None:
    admin = cast.user_with(Role.ADMINISTRATOR, cast.county)
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    with time_machine.travel("2026-10-09 10:00 +0800", tick=True):
        seen = {}
        for who in (admin, handler):
            client = Client()
            sign_in(client, who)
            seen[who.pk] = client.get(reverse("dashboard")).content.decode()
    assert "2027年法定节假日安排尚未录入" in seen[admin.pk]
    assert "2027年法定节假日安排尚未录入" not in seen[handler.pk]
