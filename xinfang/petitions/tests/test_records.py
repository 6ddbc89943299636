"""Hearings, delivery receipts, evidence and completion reports: the htmx forms on the matter
page, the API endpoints, and the rules of law behind them (条例 Arts. 34–36)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xinfang.org.tokens import issue_token
from xinfang.petitions.choices import AttachmentStage, Channel, RouteMode, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import CompletionReport, Evidence, Hearing, Petition
from xinfang.petitions.reminders import mark_overdue
from xinfang.petitions.services import end_hearing, record_delivery, start_hearing
from xinfang.petitions.tests.factories import make_petition, petitioner_proof, refresh
from xinfang.petitions.workflow import transition

ANSWER = {
    "outcome": "support",
    "facts": "经查，反映的道路积水属实。",
    "reasons": "属于镇政府职责范围。",
    "legal_basis": "《信访工作条例》第三十二条",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail_url(pk: int) -> str:
    return reverse("petitions:petition_detail", args=[pk])


def _at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _htmx_post(user, url: str, data: dict) -> object:
    return _client(user).post(url, data, HTTP_HX_REQUEST="true")


def _accepted(people) -> Petition:
    p = make_petition(people.cast, actor=people.town_registrar)
    return transition(p, Status.ACCEPTED, actor=people.handler_a)


def _rereview_requested(people) -> tuple[Petition, object]:
    """A village matter answered, reviewed by the township, re-review requested at the
    county (county_leader leads the re-reviewing body)."""
    cast = people.cast
    p = make_petition(cast, actor=people.town_registrar, unit=cast.village_a)
    Petition.objects.filter(pk=p.pk).update(responsible_unit=cast.village_a)
    village_handler = cast.user_with("handler", cast.village_a, "vh")
    village_leader = cast.user_with("unit_leader", cast.village_a, "vl")
    p = transition(refresh(p), Status.ACCEPTED, actor=village_handler)
    p = transition(p, Status.ANSWERED, actor=village_leader, **ANSWER)
    p = transition(
        p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不服"
    )
    p = transition(p, Status.REVIEWED, actor=people.leader_a, **ANSWER)
    p = transition(
        p, Status.REREVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="仍不服"
    )
    return p, village_handler


# --- hearings (Art. 36) ---------------------------------------------------------------


def test_rereview_hearing_days_are_not_counted_and_the_clock_stands_still(people) -> None:
    with _at("2026-03-10"):
        p, _ = _rereview_requested(people)
        assert p.rereview_due == date(2026, 4, 9) and p.next_due == date(2026, 4, 9)
    leader = people.county_leader
    body = _client(leader).get(detail_url(p.pk)).content.decode()
    assert "hearing-start-form" in body
    with _at("2026-03-16"):
        response = _htmx_post(
            leader, reverse("petitions:hearing_start", args=[p.pk]), {"hs-note": "公开听证"}
        )
        assert response.status_code == 204
    p = refresh(p)
    assert p.hearing_open and p.next_due is None  # the re-review clock stands still
    # While the hearing runs, the job does not mark the matter overdue …
    mark_overdue(date(2026, 5, 1))
    assert not refresh(p).is_overdue
    # … and no final opinion can be given.
    with _at("2026-03-18"), pytest.raises(GuardFailed):
        transition(refresh(p), Status.FINAL, actor=leader, **ANSWER)
    with _at("2026-03-20"):
        response = _htmx_post(leader, reverse("petitions:hearing_end", args=[p.pk]), {})
        assert response.status_code == 204
    p = refresh(p)
    # 16–20 March: 5 hearing days not counted → 10 March + 35 = Tue 14 April.
    assert (p.rereview_pause_days, p.rereview_due, p.next_due) == (
        5,
        date(2026, 4, 14),
        date(2026, 4, 14),
    )
    assert Hearing.objects.get(petition=p).ended_on == date(2026, 3, 20)
    with _at("2026-03-23"):
        assert transition(p, Status.FINAL, actor=leader, **ANSWER).is_final


def test_a_handling_hearing_does_not_move_the_handling_due_date(people) -> None:
    with _at("2026-03-02"):
        p = _accepted(people)
        due = p.handle_due
        start_hearing(p, actor=people.leader_a, note="听取意见")
        with pytest.raises(GuardFailed):  # one hearing at a time
            start_hearing(refresh(p), actor=people.leader_a)
    with _at("2026-03-12"):
        end_hearing(refresh(p), actor=people.leader_a)
    p = refresh(p)
    assert p.handle_due == due == date(2026, 5, 6) and p.rereview_pause_days == 0


def test_only_the_leader_of_the_body_may_hold_a_hearing(people) -> None:
    p = _accepted(people)
    url = reverse("petitions:hearing_start", args=[p.pk])
    body = _client(people.handler_a).get(detail_url(p.pk)).content
    assert b"hearing-start-form" not in body
    response = _htmx_post(people.handler_a, url, {"hs-note": "x"})
    assert response.status_code == 200 and "没有办理此项操作的权限" in response.content.decode()
    assert _htmx_post(people.handler_b, url, {}).status_code == 404
    assert not Hearing.objects.exists()


# --- delivery receipts (Arts. 35, 36) ---------------------------------------------------


def test_delivery_receipt_starts_the_review_window_on_the_day_of_receipt(people) -> None:
    with _at("2026-03-02"):
        p = transition(_accepted(people), Status.ANSWERED, actor=people.leader_a, **ANSWER)
        assert p.review_request_due == date(2026, 4, 1)  # from the answer, until received
    answer = p.answers.get()
    url = reverse("petitions:delivery_record", args=[p.pk, answer.pk])
    prefix = f"dlv{answer.pk}-"
    with _at("2026-03-12"):
        early = _htmx_post(
            people.handler_a,
            url,
            {
                prefix + "delivered_on": "2026-03-01",
                prefix + "method": "邮寄送达",
                prefix + "recipient": "张三",
            },
        )
        assert "送达日期须在答复日期之后" in early.content.decode()
        ok = _htmx_post(
            people.handler_a,
            url,
            {
                prefix + "delivered_on": "2026-03-10",
                prefix + "method": "邮寄送达",
                prefix + "recipient": "张三",
            },
        )
        assert ok.status_code == 204
        again = _htmx_post(
            people.handler_a,
            url,
            {
                prefix + "delivered_on": "2026-03-11",
                prefix + "method": "直接送达",
                prefix + "recipient": "张三",
            },
        )
        assert "该意见已登记送达" in again.content.decode()
    p = refresh(p)
    # Received 10 March: + 30 = Thu 9 April (not 1 April, counted from the answer).
    assert p.answer_delivered_on == date(2026, 3, 10) and p.review_request_due == date(2026, 4, 9)
    detail = _client(people.handler_a).get(detail_url(p.pk)).content
    assert "送达回证：2026-03-10 邮寄送达".encode() in detail
    with _at("2026-04-08"):
        p = transition(
            p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不服"
        )
    assert p.review_requested_on == date(2026, 4, 8)


def test_review_request_without_a_receipt_counts_from_the_answer(people) -> None:
    with _at("2026-03-02"):
        p = transition(_accepted(people), Status.ANSWERED, actor=people.leader_a, **ANSWER)
    with _at("2026-04-08"), pytest.raises(GuardFailed):
        transition(
            refresh(p),
            Status.REVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner_proof(refresh(p)),
            reason="不服",
        )


def test_receipt_of_the_review_opinion_starts_the_rereview_window(people) -> None:
    cast = people.cast
    with _at("2026-03-02"):
        p = make_petition(cast, actor=people.town_registrar, unit=cast.village_a)
        Petition.objects.filter(pk=p.pk).update(responsible_unit=cast.village_a)
        vh = cast.user_with("handler", cast.village_a, "vh")
        vl = cast.user_with("unit_leader", cast.village_a, "vl")
        p = transition(refresh(p), Status.ACCEPTED, actor=vh)
        p = transition(p, Status.ANSWERED, actor=vl, **ANSWER)
        p = transition(
            p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不服"
        )
    with _at("2026-03-10"):
        p = transition(refresh(p), Status.REVIEWED, actor=people.leader_a, **ANSWER)
        assert p.rereview_request_due == date(2026, 4, 9)
    opinion = p.answers.get(stage="review")
    with _at("2026-03-21"):
        # The reviewing township records the receipt (Art. 36: "自收到书面复查意见之日起").
        record_delivery(
            opinion,
            actor=people.handler_a,
            delivered_on=date(2026, 3, 20),
            method="直接送达",
            recipient="张三",
        )
    p = refresh(p)
    assert p.review_delivered_on == date(2026, 3, 20) and p.rereview_request_due == date(
        2026, 4, 20
    )
    with _at("2026-04-15"):
        p = transition(
            p,
            Status.REREVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner_proof(p),
            reason="仍不服",
        )
    assert p.status == Status.REREVIEW_REQUESTED


# --- evidence ---------------------------------------------------------------------------


def test_evidence_with_a_file_is_stored_as_an_evidence_attachment(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    url = reverse("petitions:evidence_add", args=[p.pk])
    before = _htmx_post(people.handler_a, url, {"ev-description": "现场照片"})
    assert "受理后方可提交佐证材料" in before.content.decode()
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    response = _client(people.handler_a).post(
        url,
        {"ev-description": "整改后现场照片", "ev-file": SimpleUploadedFile("照片.pdf", PDF)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    evidence = Evidence.objects.select_related("attachment").get(petition=p)
    assert evidence.attachment.stage == AttachmentStage.EVIDENCE
    assert evidence.added_by == people.handler_a
    body = _client(people.handler_a).get(detail_url(p.pk)).content
    assert "整改后现场照片".encode() in body and "照片.pdf".encode() in body
    bad = _htmx_post(people.handler_a, url, {"ev-description": "x", "ev-file": ""})
    assert bad.status_code == 204  # the file is optional
    rejected = _client(people.handler_a).post(
        url,
        {"ev-description": "假文件", "ev-file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")},
        HTTP_HX_REQUEST="true",
    )
    assert rejected.status_code == 200 and Evidence.objects.filter(petition=p).count() == 2
    assert _htmx_post(people.handler_b, url, {"ev-description": "x"}).status_code == 404


# --- completion reports ---------------------------------------------------------------


def test_assigned_matter_tracks_its_completion_report_until_submitted(people) -> None:
    cast = people.cast
    with _at("2026-03-02"):
        p = make_petition(
            cast,
            actor=people.town_registrar,
            channel=Channel.ASSIGNED,
            handed_down_by=cast.county,
            report_due=date(2026, 4, 15),
        )
        assert p.report_required and p.report_due == date(2026, 4, 15)
        p = transition(p, Status.ACCEPTED, actor=people.handler_a)
        p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    assert (p.next_due_step, p.next_due) == ("report", date(2026, 4, 15))
    mark_overdue(date(2026, 4, 16))
    assert refresh(p).is_overdue
    detail = detail_url(p.pk)
    assert b"report-form" not in _client(people.handler_a).get(detail).content
    assert b"report-form" in _client(people.leader_a).get(detail).content
    with _at("2026-04-17"):
        response = _htmx_post(
            people.leader_a,
            reverse("petitions:completion_report", args=[p.pk]),
            {"cr-text": "已依法答复，信访人表示满意"},
        )
    assert response.status_code == 204
    p = refresh(p)
    report = CompletionReport.objects.get(petition=p)
    assert report.to_unit == cast.county and p.report_submitted_on == date(2026, 4, 17)
    assert p.next_due is None and not p.is_overdue


def test_assigning_on_a_hand_over_requires_a_report_forwarding_does_not(people) -> None:
    cast = people.cast
    assigned = make_petition(cast, unit=cast.county, actor=people.registrar)
    assigned = transition(
        assigned,
        Status.ROUTED,
        actor=people.registrar,
        to_unit=cast.unit_a,
        mode=RouteMode.ASSIGN,
    )
    forwarded = make_petition(cast, unit=cast.county, actor=people.registrar)
    forwarded = transition(forwarded, Status.ROUTED, actor=people.registrar, to_unit=cast.unit_a)
    assert assigned.report_required and not forwarded.report_required
    for p in (assigned, forwarded):
        p = transition(p, Status.ACCEPTED, actor=people.handler_a)
        transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    assigned, forwarded = refresh(assigned), refresh(forwarded)
    # No report date given: the report is due with the handling period.
    assert (assigned.next_due_step, assigned.report_due) == ("report", assigned.handle_due)
    assert (forwarded.next_due_step, forwarded.report_due) == ("", None)


# --- the page as a whole --------------------------------------------------------------


def test_detail_with_every_record_has_bounded_queries(people, django_assert_max_num_queries):
    with _at("2026-03-02"):
        p = _accepted(people)
        start_hearing(p, actor=people.leader_a)
        end_hearing(refresh(p), actor=people.leader_a)
        p = transition(refresh(p), Status.ANSWERED, actor=people.leader_a, **ANSWER)
        record_delivery(
            p.answers.get(),
            actor=people.handler_a,
            delivered_on=date(2026, 3, 2),
            method="直接送达",
            recipient="张三",
        )
    client = _client(people.leader_a)
    client.get(detail_url(p.pk))  # warm the session
    with django_assert_max_num_queries(26):
        response = client.get(detail_url(p.pk))
    assert response.status_code == 200


# --- the API ---------------------------------------------------------------------------


def _api(user) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {issue_token(actor=user, user=user, name='t')}"}


def test_api_hearing_receipt_evidence_and_report(people) -> None:
    cast = people.cast
    with _at("2026-03-02"):
        p = make_petition(
            cast, actor=people.town_registrar, channel=Channel.ASSIGNED, handed_down_by=cast.county
        )
        p = transition(p, Status.ACCEPTED, actor=people.handler_a)
        leader, lh = _api(people.leader_a)
        handler, hh = _api(people.handler_a)
        base = f"/api/petitions/{p.pk}"
        started = leader.post(
            f"{base}/hearings", {"note": "听证"}, content_type="application/json", headers=lh
        )
        assert started.status_code == 201 and started.json()["stage"] == "handling"
        refused = handler.post(
            f"{base}/hearings/end", {}, content_type="application/json", headers=hh
        )
        assert refused.status_code == 400
        ended = leader.post(f"{base}/hearings/end", {}, content_type="application/json", headers=lh)
        assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-03-02"
        evidence = handler.post(
            f"{base}/evidence",
            {"description": "现场照片", "file": SimpleUploadedFile("p.pdf", PDF)},
            headers=hh,
        )
        assert evidence.status_code == 201 and evidence.json()["attachment_id"]
        transition(refresh(p), Status.ANSWERED, actor=people.leader_a, **ANSWER)
        detail = handler.get(base, headers=hh).json()
        answer_id = detail["answers"][0]["id"]
        assert detail["answers"][0]["delivered_on"] is None and detail["report_required"]
    with _at("2026-03-12"):
        receipt = handler.post(
            f"{base}/answers/{answer_id}/receipt",
            {"delivered_on": "2026-03-10", "method": "邮寄送达", "recipient": "张三"},
            content_type="application/json",
            headers=hh,
        )
        assert receipt.status_code == 201
        assert receipt.json()["review_request_due"] == "2026-04-09"
        report = leader.post(
            f"{base}/completion-report",
            {"text": "已办结"},
            content_type="application/json",
            headers=lh,
        )
        assert report.status_code == 201 and report.json()["to_unit"] == cast.county.name
    detail = handler.get(base, headers=hh).json()
    assert detail["answers"][0]["delivered_on"] == "2026-03-10"
    assert detail["report_submitted_on"] == "2026-03-12"
    assert [h["ended_on"] for h in detail["hearings"]] == ["2026-03-02"]
    assert detail["evidence"][0]["description"] == "现场照片"
    other, oh = _api(people.handler_b)
    assert (
        other.post(
            f"{base}/answers/{answer_id}/receipt",
            {"delivered_on": "2026-03-10", "method": "x", "recipient": "y"},
            content_type="application/json",
            headers=oh,
        ).status_code
        == 404
    )


def test_record_endpoints_are_in_the_schema() -> None:
    paths = Client().get("/api/schema/").json()["paths"]
    for path in (
        "/api/petitions/{pk}/hearings",
        "/api/petitions/{pk}/hearings/end",
        "/api/petitions/{pk}/answers/{answer_pk}/receipt",
        "/api/petitions/{pk}/evidence",
        "/api/petitions/{pk}/completion-report",
        "/api/petitions/notifications",
        "/api/petitions/notifications/read",
    ):
        assert path in paths, path
