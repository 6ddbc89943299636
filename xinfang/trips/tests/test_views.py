"""The trips pages: what they show, the statistics and their xlsx, bounded queries."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.core.models import AuditEntry
from xinfang.org.choices import Role
from xinfang.shell.testing import sign_in
from xinfang.trips.choices import TripStatus
from xinfang.trips.models import TripPlan, TripRequest, TripRule
from xinfang.trips.tests import factories as f
from xinfang.trips.workflow import transition

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def handler(cast):
    return cast.user_with(Role.HANDLER, cast.department, "trip-handler")


@pytest.fixture
def county(cast):
    return cast.user_with(Role.UNIT_LEADER, cast.county, "trip-county")


def _back(cast, handler, county, title: str, **kw: Any) -> TripRequest:
    trip = f.trip(cast.department, title=title, **kw)
    transition(trip, "submit", actor=handler)
    transition(trip, "approve", actor=county)
    with time_machine.travel(trip.return_on + timedelta(days=1), tick=False):
        transition(trip, "record_return", actor=handler, data={"returned_on": trip.return_on})
    return trip


def test_the_detail_lists_each_violation_with_its_clause(cast, handler) -> None:
    trip = f.trip(cast.department, countries=("德国", "荷兰", "法国"), visa_in=3)
    body = _client(handler).get(reverse("trips:trip_detail", args=[trip.pk])).content.decode()
    assert "3 个国家（地区），超过上限 2 个" in body and "第（八）条" in body
    assert "不足 21 天" in body and "第（十三）条" in body


def test_only_the_approving_level_is_offered_the_exception_form(cast, handler, county) -> None:
    trip = f.trip(cast.department, visa_in=3)
    url = reverse("trips:trip_detail", args=[trip.pk])
    assert "同意例外" not in _client(handler).get(url).content.decode()
    assert "同意例外" in _client(county).get(url).content.decode()
    _client(county).post(
        reverse("trips:trip_exception", args=[trip.pk]),
        {"code": "file_ahead_days", "reason": "外方会期提前"},
    )
    assert "审批层级已同意例外：外方会期提前" in _client(handler).get(url).content.decode()


def test_an_overdue_report_is_flagged_in_the_list(cast, handler, county) -> None:
    trip = _back(cast, handler, county, "逾期报告团")
    assert trip.report_due is not None
    with time_machine.travel(trip.report_due + timedelta(days=2), tick=False):
        body = _client(handler).get(reverse("trips:trip_list") + "?overdue=1").content.decode()
    assert "逾期报告团" in body and "（逾期）" in body


def test_statistics_per_unit_and_year_and_their_xlsx(cast, handler, county) -> None:
    _back(cast, handler, county, "第一团", members=(("刘建国", "section"), ("陈晓", "staff")))
    f.trip(cast.department, title="草稿团")  # drafts are not counted
    client = _client(handler)
    body = client.get(reverse("trips:trip_statistics")).content.decode()
    assert "测试县自然资源局" in body
    response = client.get(reverse("trips:trip_statistics_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("组团单位", "年度", "出访请示", "批准团组")
    assert rows[1][:6] == ("测试县自然资源局", 2026, 1, 1, 2, 6)
    assert AuditEntry.objects.filter(object_type="trips.statistics").exists()


def test_a_leader_adjusts_a_rule_on_the_rules_page(cast, county) -> None:
    client = _client(county)
    client.post(
        reverse("trips:rule_update"),
        {"unit": cast.county.pk, "code": "members_max", "value": 8, "enabled": "on"},
    )
    assert TripRule.objects.get(unit=cast.county, code="members_max").value == 8
    body = client.get(reverse("trips:rule_list") + f"?unit={cast.county.pk}").content.decode()
    assert "渝委发〔2005〕14号 第（五）条" in body


def test_a_plan_is_filed_from_its_form(cast, handler) -> None:
    _client(handler).post(
        reverse("trips:plan_create"),
        {"unit": cast.department.pk, "year": 2027, "items": "考察耕地保护|荷兰|4"},
    )
    plan = TripPlan.objects.get(unit=cast.department, year=2027)
    assert not plan.is_late and plan.items.get().head_count == 4


@pytest.mark.parametrize("name", ["trips:trip_list", "trips:trip_statistics"])
def test_list_pages_read_a_bounded_number_of_queries(
    name: str, cast, handler, county, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        f.trip(cast.department, title=f"团{i}", members=((f"成员{i}", "staff"),))
    client = _client(handler)
    client.get(reverse(name))
    with django_assert_max_num_queries(12):
        assert client.get(reverse(name)).status_code == 200


def test_the_detail_reads_a_bounded_number_of_queries(
    cast, handler, django_assert_max_num_queries: Any
) -> None:
    trip = f.trip(cast.department)
    client = _client(handler)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("trips:trip_detail", args=[trip.pk])).status_code == 200
    assert trip.status == TripStatus.DRAFT
