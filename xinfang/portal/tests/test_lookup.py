"""Lookup with query code + phone: the right pair opens the matter; an unknown code and a
wrong code or phone get the same page, wording and status; both are rate-limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.portal.ratelimit import LOOKUP_PER_ADDRESS_AND_CODE, LOOKUP_PER_IP
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import csrf_free, lookup, registered
from xinfang.portal.views import LOOKUP_FAILED, LOOKUP_LIMITED

pytestmark = pytest.mark.django_db

UNKNOWN = "0000-1111-2222-3333-4444-5555-6666-7777"


def test_right_code_and_phone_open_the_matter(portal: Portal) -> None:
    petition, code = registered(portal.cast.unit_a)
    client = Client()
    response = lookup(client, code)
    assert response.status_code == 302 and response["Location"] == reverse("portal:matter")
    page = client.get(reverse("portal:matter"))
    html = page.content.decode()
    assert page.status_code == 200
    assert petition.number in html and "已登记，等待处理" in html
    assert "转送、交办或受理的期限" in html


def test_code_is_accepted_without_dashes_and_in_lower_case(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    response = lookup(Client(), code.replace("-", "").lower())
    assert response.status_code == 302


def test_unknown_code_wrong_code_and_wrong_phone_look_the_same(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    wrong_code = code[:-1] + ("0" if code[-1] != "0" else "1")
    responses = [
        lookup(Client(), UNKNOWN),
        lookup(Client(), wrong_code),
        lookup(Client(), code, phone="13000000000"),
    ]
    statuses = {r.status_code for r in responses}
    pages = {csrf_free(r.content.decode()) for r in responses}
    assert statuses == {200}
    assert len(pages) == 1, "the three failures must render the same page"
    page = pages.pop()
    assert LOOKUP_FAILED in page
    # Neither the code nor the phone typed is echoed back.
    assert code not in page and "13000000000" not in page


def test_matter_page_needs_a_lookup_first(portal: Portal) -> None:
    response = Client().get(reverse("portal:matter"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:lookup")


def test_failures_from_other_addresses_never_lock_the_owner_out(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    # Someone who knows the code tries many phones from many addresses …
    for i in range(LOOKUP_PER_ADDRESS_AND_CODE.free * 5):
        lookup(Client(REMOTE_ADDR=f"10.9.{i}.1"), code, phone="13000000000")
    # … the owner, from their own address, still gets in.
    assert lookup(Client(REMOTE_ADDR="10.7.7.7"), code).status_code == 302


def test_failures_for_one_code_from_one_address_get_a_growing_delay_alike_for_known_and_unknown(
    portal: Portal,
) -> None:
    _petition, code = registered(portal.cast.unit_a)
    limit = LOOKUP_PER_ADDRESS_AND_CODE
    responses = {}
    for target in (code, UNKNOWN):
        client = Client(REMOTE_ADDR=f"10.4.4.{len(responses)}")
        for _ in range(limit.free):
            assert lookup(client, target, phone="13000000000").status_code == 200
        waiting = lookup(client, target)  # even with the right phone
        assert waiting.status_code == 429 and waiting["Retry-After"] == str(limit.base)
        responses[target] = csrf_free(waiting.content.decode())
        start = timezone.now()
        with time_machine.travel(start + timedelta(seconds=limit.base + 1), tick=False):
            assert lookup(client, target, phone="13000000000").status_code == 200
            doubled = lookup(client, target)
            assert doubled.status_code == 429 and doubled["Retry-After"] == str(2 * limit.base)
    assert responses[code] == responses[UNKNOWN]
    assert LOOKUP_LIMITED in responses[code]


def test_the_delay_is_capped_not_a_lock(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    limit = LOOKUP_PER_ADDRESS_AND_CODE
    client = Client(REMOTE_ADDR="10.5.5.5")
    now = timezone.now()
    for _ in range(limit.free + 12):
        with time_machine.travel(now, tick=False):
            lookup(client, code, phone="13000000000")
        now += timedelta(seconds=limit.cap + 1)
    with time_machine.travel(now, tick=False):
        assert lookup(client, code).status_code == 302


def test_lookups_are_limited_per_address(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    client = Client(REMOTE_ADDR="10.2.2.2")
    for i in range(LOOKUP_PER_IP.count):
        fake = f"{i:04d}-1111-2222-3333-4444-5555-6666-7777"
        assert lookup(client, fake).status_code == 200
    assert lookup(client, code).status_code == 429
    assert lookup(Client(REMOTE_ADDR="10.3.3.3"), code).status_code == 302


def test_successful_lookup_changes_the_session_key(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    client = Client()
    client.get(reverse("portal:lookup"))
    client.session.save()
    before = client.session.session_key
    lookup(client, code)
    assert client.session.session_key != before


def test_leaving_forgets_the_matter(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    client = Client()
    lookup(client, code)
    client.post(reverse("portal:leave"))
    assert client.get(reverse("portal:matter")).status_code == 302


def test_lookup_form_errors_for_missing_fields(portal: Portal) -> None:
    response = Client().post(reverse("portal:lookup"), {"code": "", "phone": ""})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()


@pytest.mark.usefixtures("year_2027_not_entered")
def test_a_pending_review_window_is_shown_open_with_its_earliest_day(portal: Portal) -> None:
    from datetime import date

    from xinfang.petitions.workflow import transition

    answer = {"outcome": "support", "facts": "属实", "reasons": "职责", "legal_basis": "条例"}
    with time_machine.travel("2026-12-10 10:00 +0800", tick=True):
        petition, code = registered(portal.cast.unit_a)
        petition = transition(petition, "accepted", actor=portal.handler_a)
        transition(petition, "answered", actor=portal.leader_a, **answer)
        client = Client()
        lookup(client, code)
        html = client.get(reverse("portal:matter")).content.decode()
    # 30 days from 2026-12-10 end on 2027-01-09 at the earliest; the window stays open.
    assert date(2027, 1, 9).strftime("%Y年%-m月%-d日") in html
    assert "期限确定前提出的申请均予接收" in html
    assert "提交请求复查申请" in html
