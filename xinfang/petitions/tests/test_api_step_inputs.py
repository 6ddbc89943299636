"""Each step takes its own typed input, and the petitioner's own steps take a proof
(issue 10, finding 1: ``"as_petitioner": true`` in a transition payload let the view-only
assessment officer record a 满意 rating "from the petitioner")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.core.errors import TransitionNotAllowed
from xinfang.org.choices import Role
from xinfang.org.tokens import issue_token
from xinfang.petitions.api import TRANSITION_TARGETS
from xinfang.petitions.choices import Outcome, Rating, Status
from xinfang.petitions.errors import StepInputInvalid
from xinfang.petitions.models import Petition, ReturnVisit, ReviewRequest
from xinfang.petitions.tests.factories import make_petition, petitioner_proof, refresh
from xinfang.petitions.workflow import STEPS, PetitionerProof, proof_from_token, transition

ANSWER = {
    "outcome": Outcome.SUPPORT,
    "facts": "经查属实",
    "reasons": "属本镇职责",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _answered(people: Any) -> Petition:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    return transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)


def _post(user: Any, p: Petition, body: dict[str, Any]) -> Any:
    token = issue_token(actor=user, user=user, name="test")
    return Client().post(
        f"/api/petitions/{p.pk}/transitions",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def assessor(people: Any) -> Any:
    return people.cast.user_with(Role.ASSESSMENT_OFFICER, people.cast.county, "assessor")


def test_assessor_posing_as_petitioner_cannot_record_a_rating(people, assessor) -> None:
    p = _answered(people)
    body = {"to": "evaluated", "payload": {"rating": "satisfied", "as_petitioner": True}}
    response = _post(assessor, p, body)
    assert response.status_code == 422
    assert "as_petitioner" in response.json()["detail"]
    without_flag = _post(assessor, p, {"to": "evaluated", "payload": {"rating": "satisfied"}})
    assert without_flag.status_code == 400
    assert not ReturnVisit.objects.exists() and refresh(p).status == Status.ANSWERED


def test_unknown_payload_key_is_refused_with_422_in_chinese(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    # ``today`` was a keyword of transition(): spread from the payload, it backdated a step.
    response = _post(
        people.handler_a,
        p,
        {"to": "accepted", "payload": {"notice": "已受理", "today": "2020-01-01"}},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "“受理并书面告知”不接受参数：today"
    assert refresh(p).status == Status.REGISTERED


def test_payload_value_of_the_wrong_type_is_422(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    response = _post(people.registrar, p, {"to": "routed", "payload": {"to_unit": "甲镇"}})
    assert response.status_code == 422 and "to_unit" in response.json()["detail"]


def test_unknown_key_in_a_body_is_422(people) -> None:
    token = issue_token(actor=people.town_registrar, user=people.town_registrar, name="t")
    body = {
        "registering_unit": people.cast.unit_a.pk,
        "channel": "phone",
        "kind": "appeal",
        "summary": "多带了一个键",
        "petitioners": [{"name": "周五", "phone": "13911110000"}],
        "registrar": people.registrar.pk,
    }
    response = Client().post(
        "/api/petitions/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422 and not Petition.objects.exists()
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "registrar" and error["msg"] == "不接受该参数"


def test_transition_moves_with_its_typed_input(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    response = _post(people.handler_a, p, {"to": "accepted", "payload": {"notice": "已受理"}})
    assert response.status_code == 200 and refresh(p).status == Status.ACCEPTED


@pytest.mark.parametrize(
    ("to", "payload"),
    [
        (Status.EVALUATED, {"rating": Rating.SATISFIED}),
        (Status.REVIEW_REQUESTED, {}),
    ],
)
def test_staff_cannot_rate_or_request_review_through_the_api(people, to, payload) -> None:
    p = _answered(people)
    for user in (people.handler_a, people.town_registrar, people.leader_a):
        response = _post(user, p, {"to": to, "reason": "不服", "payload": payload})
        assert response.status_code == 400
    assert refresh(p).status == Status.ANSWERED
    assert not ReturnVisit.objects.exists() and not ReviewRequest.objects.exists()


def test_staff_forms_have_no_petitioner_steps(people) -> None:
    p = _answered(people)
    client = Client()
    client.force_login(people.handler_a)
    for name in ("evaluate", "request_review"):
        url = reverse("petitions:petition_step", args=[p.pk, name])
        response = client.post(url, {f"{name}-rating": "satisfied", f"{name}-reason": "不服"})
        assert response.status_code == 404
    page = client.get(reverse("petitions:petition_detail", args=[p.pk])).content.decode()
    assert "step-evaluate" not in page and "step-request_review" not in page
    assert not ReturnVisit.objects.exists() and refresh(p).status == Status.ANSWERED


def test_staff_cannot_take_petitioner_steps_through_the_service(people) -> None:
    p = _answered(people)
    with pytest.raises(TransitionNotAllowed):
        transition(p, Status.EVALUATED, actor=people.handler_a, rating=Rating.SATISFIED)
    # Not even when holding the petitioner's proof: a staff identity is refused outright.
    with pytest.raises(TransitionNotAllowed, match="工作人员不能代为操作"):
        transition(
            refresh(p),
            Status.EVALUATED,
            actor=people.handler_a,
            petitioner=petitioner_proof(p),
            rating=Rating.SATISFIED,
        )
    with pytest.raises(TransitionNotAllowed):
        transition(refresh(p), Status.REVIEW_REQUESTED, actor=people.handler_a, reason="不服")
    assert not ReturnVisit.objects.exists() and not ReviewRequest.objects.exists()


def test_petitioner_rates_with_the_proof(people) -> None:
    p = _answered(people)
    p = transition(
        p, Status.EVALUATED, actor=None, petitioner=petitioner_proof(p), rating="satisfied"
    )
    visit = ReturnVisit.objects.get(petition=p)
    assert visit.by_petitioner and visit.recorded_by is None and visit.method == "网上评价"


def test_proof_is_bound_to_its_matter(people) -> None:
    p, other = _answered(people), _answered(people)
    with pytest.raises(TransitionNotAllowed, match="不符"):
        transition(
            other, Status.EVALUATED, actor=None, petitioner=petitioner_proof(p), rating="satisfied"
        )


def test_forged_or_expired_proof_is_refused(people) -> None:
    p = _answered(people)
    forged = PetitionerProof(petition_id=p.pk, via="query_code", token="x:y:z")
    with pytest.raises(TransitionNotAllowed, match="失效"):
        transition(p, Status.EVALUATED, actor=None, petitioner=forged, rating="satisfied")
    assert proof_from_token(forged.token) is None and proof_from_token(None) is None
    proof = petitioner_proof(p)
    later = time_machine.travel(timezone.now() + timedelta(minutes=31))
    with later, pytest.raises(TransitionNotAllowed, match="失效"):
        transition(p, Status.EVALUATED, actor=None, petitioner=proof, rating="satisfied")
    assert not ReturnVisit.objects.exists()


def test_python_callers_are_held_to_the_step_input_too(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    with pytest.raises(StepInputInvalid, match="as_petitioner"):
        transition(p, Status.ACCEPTED, actor=people.handler_a, as_petitioner=True)


def test_transition_targets_in_the_schema_are_the_table_targets() -> None:
    assert set(TRANSITION_TARGETS) == {step.target for step in STEPS}
    # ``to`` names the step, except where the step name must: rejecting an objection and
    # re-routing after it both reach "routed" from "objected" (条例 Art. 23).
    shared = [(source, step.target) for step in STEPS for source in step.sources]
    assert {pair for pair in shared if shared.count(pair) > 1} == {(Status.OBJECTED, Status.ROUTED)}


def test_schema_has_enums_and_documents_error_statuses() -> None:
    schema = Client().get("/api/schema/").json()
    parts = schema["components"]["schemas"]
    assert set(parts["Channel"]["enum"]) >= {"letter", "online", "12345"}
    assert set(parts["Kind"]["enum"]) == {"suggestion", "accusation", "appeal"}
    assert set(parts["TransitionIn"]["properties"]["to"]["enum"]) == set(TRANSITION_TARGETS)
    post = schema["paths"]["/api/petitions/{pk}/transitions"]["post"]["responses"]
    assert {"200", "400", "401", "404", "409", "422"} <= set(post)
    for path in schema["paths"].values():
        for operation in path.values():
            assert {"401", "422"} <= set(operation["responses"]), operation["operationId"]


def test_dates_the_calendar_cannot_count_from_are_422_not_500(people) -> None:
    token = issue_token(actor=people.town_registrar, user=people.town_registrar, name="t")
    body = {
        "registering_unit": people.cast.unit_a.pk,
        "channel": "letter",
        "kind": "appeal",
        "summary": "公元元年收到的来信",
        "received_on": "0001-01-01",
        "petitioners": [{"name": "周五"}],
    }
    response = Client().post(
        "/api/petitions/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422 and not Petition.objects.exists()


def test_offsets_and_ids_beyond_any_column_are_refused_not_500(people) -> None:
    token = issue_token(actor=people.handler_a, user=people.handler_a, name="t")
    client, headers = Client(), {"Authorization": f"Bearer {token}"}
    # Beyond 2^63 no column can hold it: 400 before any view runs (core.outage).
    for url in (
        f"/api/petitions/notifications?offset={2**70}",
        f"/api/petitions/due?offset={2**64}",
        f"/api/petitions/?unit={2**63}",
        f"/api/petitions/{2**63}",
        f"/api/supervision/?offset={2**64}",
    ):
        assert client.get(url, headers=headers).status_code == 400, url
    # Within 64 bits but beyond the schema's bounds: the API's own validation, 422.
    for url in (
        f"/api/petitions/notifications?offset={2**40}",
        f"/api/petitions/due?offset={2**40}",
        f"/api/petitions/?unit={2**40}",
        f"/api/petitions/{2**40}",
        f"/api/supervision/?offset={2**40}",
    ):
        assert client.get(url, headers=headers).status_code == 422, url


def test_nul_characters_are_422_not_500(people) -> None:
    # PostgreSQL cannot store or compare NUL: each of these answered 500 there.
    p = make_petition(people.cast, actor=people.town_registrar)
    token = issue_token(actor=people.handler_a, user=people.handler_a, name="t")
    client, headers = Client(), {"Authorization": f"Bearer {token}"}
    assert client.get("/api/petitions/?q=a%00b", headers=headers).status_code == 422
    moved = client.post(
        f"/api/petitions/{p.pk}/transitions",
        {"to": "accepted", "payload": {"notice": "a\x00b"}},
        content_type="application/json",
        headers=headers,
    )
    assert moved.status_code == 422 and refresh(p).status == Status.REGISTERED
    transition(p, Status.ACCEPTED, actor=people.handler_a)
    evidence = client.post(
        f"/api/petitions/{p.pk}/evidence", {"description": "a\x00"}, headers=headers
    )
    assert evidence.status_code == 422


def test_text_longer_than_its_column_is_422_not_500(people) -> None:
    # SQLite stores an over-long value, PostgreSQL refuses it with a 500.
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    body = {"to": "answered", "payload": {**ANSWER, "review_route": "向" * 201}}
    assert _post(people.leader_a, p, body).status_code == 422
    assert refresh(p).status == Status.ACCEPTED


def test_no_grant_allows_a_petitioner_step(people) -> None:
    from xinfang.petitions.workflow import actor_may

    own = {step.name for step in STEPS if step.petitioner_only}
    assert own == {"evaluate", "request_review", "request_rereview"}
    admin = people.cast.user_with(Role.ADMINISTRATOR, people.cast.county, "admin")
    p = _answered(people)
    for step in STEPS:
        if step.petitioner_only:
            assert not step.actions and not actor_may(admin, p, step), step.name
