"""The petitioner's view of their matter: stage and dates in plain Chinese, the answer,
rating once, and review online only inside the 30-day window (条例 Arts. 21, 34, 35, 36)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.petitions.choices import Rating, Status
from xinfang.petitions.models import Petition, ReturnVisit, ReviewRequest
from xinfang.petitions.services import PetitionerData, extend_handling, register_petition
from xinfang.petitions.tests.factories import petitioner_proof
from xinfang.petitions.workflow import transition
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import ANSWER, answer, lookup, registered
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def _at(moment: str) -> time_machine.travel:
    return time_machine.travel(f"{moment} +0800", tick=False)


def _open(client: Client, code: str) -> str:
    assert lookup(client, code).status_code == 302
    return client.get(reverse("portal:matter")).content.decode()


def test_answer_is_shown_with_unit_names_only(portal: Portal) -> None:
    with _at("2026-03-02 10:00"):
        petition, code = registered(portal.cast.unit_a)
        answer(petition, portal.handler_a, portal.leader_a)
        html = _open(Client(), code)
    assert "信访处理意见书" in html and ANSWER["facts"] in html and "予以支持" in html
    assert portal.cast.unit_a.name in html
    # Staff names never appear on the public pages.
    for user in (portal.handler_a, portal.leader_a):
        assert user.username not in html and user.full_name not in html
    assert "请求复查的截止日期" in html and "2026年4月" in html


def test_other_petitioners_on_the_matter_are_not_shown(portal: Portal) -> None:
    reg = register_petition(
        actor=None,
        registering_unit=portal.cast.unit_a,
        channel="online",
        kind="appeal",
        summary="联名反映",
        petitioners=[
            PetitionerData(name="第一人", phone="13911110000"),
            PetitionerData(name="联名人甲乙", phone="13922220000", role="cosigner"),
        ],
        propose_matches=False,
    )
    client = Client()
    assert lookup(client, reg.query_code, phone="13911110000").status_code == 302
    html = client.get(reverse("portal:matter")).content.decode()
    assert "联名人甲乙" not in html and "13922220000" not in html and "第一人" not in html


def test_extension_and_its_reason_are_told_to_the_petitioner(portal: Portal) -> None:
    with _at("2026-03-02 10:00"):
        petition, code = registered(portal.cast.unit_a)
        petition = transition(petition, Status.ACCEPTED, actor=portal.handler_a)
        extend_handling(petition, actor=portal.leader_a, days=20, reason="需要现场勘查")
        html = _open(Client(), code)
    assert "办结期限" in html and "已延长20日" in html and "需要现场勘查" in html


def test_due_date_in_an_uncovered_year_shows_the_pending_notice(portal: Portal) -> None:
    with _at("2026-12-20 10:00"):
        petition, code = registered(portal.cast.unit_a)
        assert Petition.objects.get(pk=petition.pk).deadline_pending
        html = _open(Client(), code)
    assert "节假日安排未录入" in html


def test_rating_is_recorded_once(portal: Portal) -> None:
    with _at("2026-03-02 10:00"):
        petition, code = registered(portal.cast.unit_a)
        answer(petition, portal.handler_a, portal.leader_a)
        client = Client()
        html = _open(client, code)
        assert "评价答复" in html
        response = client.post(
            reverse("portal:rate"), {"rating": Rating.BASICALLY_SATISFIED, "comment": "及时"}
        )
        assert response.status_code == 302
        page = client.get(reverse("portal:matter")).content.decode()
        assert "感谢您的评价" in page and "基本满意" in page and "提交评价" not in page
        again = client.post(reverse("portal:rate"), {"rating": Rating.DISSATISFIED}, follow=True)
        assert "只能评价一次" in again.content.decode()
    visit = ReturnVisit.objects.get(petition=petition)
    assert visit.rating == Rating.BASICALLY_SATISFIED and visit.by_petitioner
    assert visit.note == "及时" and visit.recorded_by is None
    assert Petition.objects.get(pk=petition.pk).status == Status.EVALUATED


def test_rating_before_the_answer_is_refused(portal: Portal) -> None:
    _petition, code = registered(portal.cast.unit_a)
    client = Client()
    _open(client, code)
    response = client.post(reverse("portal:rate"), {"rating": Rating.SATISFIED}, follow=True)
    assert "当前不能评价" in response.content.decode()
    assert not ReturnVisit.objects.exists()


def test_review_inside_the_window_goes_to_the_body_above(portal: Portal) -> None:
    with _at("2026-03-02 10:00"):
        petition, code = registered(portal.cast.unit_a)
        answer(petition, portal.handler_a, portal.leader_a)
    with _at("2026-03-20 10:00"):
        client = Client()
        html = _open(client, code)
        assert "提交请求复查申请" in html
        response = client.post(reverse("portal:review"), {"reason": "对处理结果不服"}, follow=True)
        assert "申请已提交" in response.content.decode()
    request = ReviewRequest.objects.get(petition=petition)
    assert request.by_petitioner and request.reviewing_unit == portal.cast.county
    assert request.requested_on == date(2026, 3, 20)
    assert Petition.objects.get(pk=petition.pk).status == Status.REVIEW_REQUESTED


def test_review_outside_the_window_is_refused_with_the_reason(portal: Portal) -> None:
    with _at("2026-03-02 10:00"):
        petition, code = registered(portal.cast.unit_a)
        answer(petition, portal.handler_a, portal.leader_a)
        due = Petition.objects.get(pk=petition.pk).review_request_due
    assert due is not None
    with _at("2026-05-20 10:00"):
        client = Client()
        html = _open(client, code)
        assert "提交请求复查申请" not in html
        assert f"请求复查的期限已于{due.year}年{due.month}月{due.day}日届满" in html
        response = client.post(reverse("portal:review"), {"reason": "不服"}, follow=True)
        assert "第三十五条" in response.content.decode()
    assert not ReviewRequest.objects.exists()


def test_review_on_the_last_day_of_the_window_is_accepted(portal: Portal) -> None:
    with _at("2026-03-02 10:00"):
        petition, code = registered(portal.cast.unit_a)
        answer(petition, portal.handler_a, portal.leader_a)
        due = Petition.objects.get(pk=petition.pk).review_request_due
    assert due is not None
    with _at(f"{due.isoformat()} 16:00"):
        client = Client()
        _open(client, code)
        client.post(reverse("portal:review"), {"reason": "不服"})
    assert ReviewRequest.objects.filter(petition=petition).exists()


def test_rereview_after_the_review_opinion(cast: Cast, portal: Portal) -> None:
    with _at("2026-03-02 10:00"):
        petition, code = registered(portal.cast.village_a)
        handler = cast.user_with("handler", cast.village_a, "village-handler")
        leader = cast.user_with("unit_leader", cast.village_a, "village-leader")
        petition = answer(petition, handler, leader)
        petition = transition(
            petition,
            Status.REVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner_proof(petition),
            reason="不服",
        )
        transition(petition, Status.REVIEWED, actor=portal.leader_a, **ANSWER)
    with _at("2026-03-10 10:00"):
        client = Client()
        html = _open(client, code)
        assert "复查意见" in html and "提交请求复核申请" in html
        client.post(reverse("portal:review"), {"reason": "仍不服"})
    request = ReviewRequest.objects.get(petition=petition, level="rereview")
    assert request.reviewing_unit == cast.county and request.by_petitioner


def test_review_needs_a_reason(portal: Portal) -> None:
    petition, code = registered(portal.cast.unit_a)
    answer(petition, portal.handler_a, portal.leader_a)
    client = Client()
    _open(client, code)
    response = client.post(reverse("portal:review"), {"reason": ""}, follow=True)
    assert "请写明请求理由" in response.content.decode()
    assert not ReviewRequest.objects.exists()


def test_matter_page_query_count(portal: Portal, django_assert_max_num_queries) -> None:
    petition, code = registered(portal.cast.unit_a)
    answer(petition, portal.handler_a, portal.leader_a)
    client = Client()
    lookup(client, code)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("portal:matter")).status_code == 200
