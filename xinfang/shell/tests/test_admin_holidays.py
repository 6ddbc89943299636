"""The admin's holiday-notice form: paste, preview as a 12-month grid, confirm."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from xinfang.core.models import AuditEntry, CalendarDay, CalendarYear
from xinfang.core.tests.test_holidays import NOTICE_2031
from xinfang.org.models import User
from xinfang.shell.testing import Cast, sign_in

pytestmark = pytest.mark.django_db
ENTER = "/admin/core/calendaryear/enter/"


def client_for(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def root_admin(cast: Cast) -> Client:
    return client_for(cast.user_with("administrator", cast.county))


def test_adding_a_year_leads_to_the_notice_form(root_admin: Client) -> None:
    response = root_admin.get("/admin/core/calendaryear/add/")
    assert response.status_code == 302 and response["Location"] == ENTER
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_preview_shows_the_whole_year_and_saves_nothing(root_admin: Client) -> None:
    response = root_admin.post(ENTER, {"text": NOTICE_2031, "preview": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count(" 月</caption>") == 12
    assert 'class="day-holiday" title="测试假"' in body
    assert 'class="day-makeup" title="调休上班"' in body  # 28 Sep, a Sunday worked
    assert 'name="confirm"' in body
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_preview_lists_the_problems_with_their_lines(root_admin: Client) -> None:
    text = NOTICE_2031.replace("2031-09-28", "2031-09-29")
    body = root_admin.post(ENTER, {"text": text, "preview": "1"}).content.decode()
    assert "第 7 行：调休上班日 2031-09-29 是周一：调休上班日只能是周六或周日" in body
    assert 'name="confirm"' not in body


def test_preview_of_a_year_already_entered_asks_for_replace(root_admin: Client) -> None:
    root_admin.post(ENTER, {"text": NOTICE_2031, "confirm": "1"})
    body = root_admin.post(ENTER, {"text": NOTICE_2031, "preview": "1"}).content.decode()
    assert "2031 年的节假日安排已录入" in body and 'name="confirm"' not in body
    replaced = root_admin.post(ENTER, {"text": NOTICE_2031, "preview": "1", "replace": "on"})
    assert 'name="confirm"' in replaced.content.decode()


def test_confirm_enters_the_year_audited_as_the_administrator(cast: Cast) -> None:
    admin = cast.user_with("administrator", cast.county)
    response = client_for(admin).post(ENTER, {"text": NOTICE_2031, "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/core/calendaryear/"
    assert "已录入 2031 年节假日安排" in response.content.decode()
    assert CalendarDay.objects.get(date=date(2031, 1, 21)).name == "测试假"
    entry = AuditEntry.objects.get(object_type="core.calendaryear")
    assert entry.actor == admin


def test_confirm_of_a_year_without_holidays_needs_the_confirmation(root_admin: Client) -> None:
    text = "year: 2031\nsource: 虚构通知\n"
    body = root_admin.post(ENTER, {"text": text, "confirm": "1"}).content.decode()
    assert "2031 年没有列出任何节假日" in body
    assert not CalendarYear.objects.filter(year=2031).exists()
    root_admin.post(ENTER, {"text": text, "confirm": "1", "confirm_no_holidays": "on"})
    assert CalendarYear.objects.filter(year=2031).exists()


def test_administrator_below_the_top_level_is_refused(cast: Cast) -> None:
    client = client_for(cast.user_with("administrator", cast.unit_a))
    assert client.get(ENTER).status_code == 404
    assert client.post(ENTER, {"text": NOTICE_2031, "confirm": "1"}).status_code == 404
    assert client.get("/admin/core/calendaryear/add/").status_code == 404
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_changelist_warns_of_a_covered_year_without_holidays(root_admin: Client) -> None:
    CalendarYear.objects.create(year=2031, source="手工")
    body = root_admin.get("/admin/core/calendaryear/").content.decode()
    assert "2031 年已标记为已覆盖，但没有任何节假日记录" in body


def test_an_entered_year_cannot_be_edited_in_place(root_admin: Client) -> None:
    year = CalendarYear.objects.create(year=2031, source="原通知")
    url = f"/admin/core/calendaryear/{year.pk}/change/"
    root_admin.post(url, {"year": "2032", "source": "改过"})
    year.refresh_from_db()
    assert (year.year, year.source) == (2031, "原通知")
