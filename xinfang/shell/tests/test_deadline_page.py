"""The staff calculator page (期限计算器): same reasoning as ``xinfang deadline``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.org import services
from xinfang.org.navigation import items_for
from xinfang.shell.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db
URL = "/core/deadline/"


def staff_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.user_with("handler", cast.unit_a))
    return client


def test_page_renders_the_due_date_and_its_reasoning(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    client = staff_client(cast)
    # Session, user and the navigation's role lookups, then the calendar (two queries).
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"start": "2026-09-01", "days": "30", "mode": "calendar"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "届满日：2026-10-08" in body
    assert "期间最后一日 2026-10-01 为 国庆节，依民法典第二百零三条顺延至" in body


def test_page_counts_working_days_with_the_start_day_counted_convention_noted(cast: Cast) -> None:
    body = (
        staff_client(cast)
        .get(
            URL,
            {
                "start": "2026-09-20",
                "days": "10",
                "mode": "working",
                "convention": "start-day-counted",
            },
        )
        .content.decode()
    )
    assert "届满日：2026-10-10" in body and "计入调休上班日 1 天" in body


def test_page_shows_a_pending_result_with_its_earliest_day(cast: Cast) -> None:
    body = staff_client(cast).get(URL, {"start": "2026-12-10", "days": "30"}).content.decode()
    assert "届满日：待定，不早于 2027-01-09" in body


def test_page_without_input_shows_the_empty_form(cast: Cast) -> None:
    body = staff_client(cast).get(URL).content.decode()
    assert 'name="start"' in body and "届满日：" not in body


def test_page_refuses_bad_input_in_chinese(cast: Cast) -> None:
    body = staff_client(cast).get(URL, {"start": "2026-09-01", "days": "0"}).content.decode()
    assert "届满日：" not in body and "1" in body and "errorlist" in body


def test_citizen_gets_404(db: None) -> None:
    citizen = services.create_citizen(actor=None, phone="13700000019", password=PASSWORD)
    client = Client()
    client.force_login(citizen)
    assert client.get(URL).status_code == 404


def test_navigation_offers_the_calculator_to_staff_without_grants(cast: Cast) -> None:
    assert {"label": "期限计算器", "url": URL} in items_for(cast.no_grant)
