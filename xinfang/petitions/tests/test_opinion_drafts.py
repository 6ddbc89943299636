"""Two persons sign a written opinion: the handler drafts it, the unit leader approves it
(by issuing it) or returns it with a comment (条例 Art. 32)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.core.errors import TransitionNotAllowed
from xinfang.org.choices import Role
from xinfang.org.models import RoleGrant
from xinfang.petitions.choices import Stage, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import Answer, OpinionDraft
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import open_draft, take_in_state_step, transition

pytestmark = pytest.mark.django_db

DRAFT = {
    "outcome": "support",
    "facts": "路灯损坏属实",
    "reasons": "属于本单位职责",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _accepted(people):
    p = make_petition(people.cast, actor=people.town_registrar)
    return transition(p, Status.ACCEPTED, actor=people.handler_a)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_handler_drafts_an_opinion_the_leader_then_approves(people) -> None:
    p = _accepted(people)
    p = take_in_state_step(p, "draft_opinion", actor=people.handler_a, **DRAFT)
    draft = open_draft(p, Stage.HANDLING)
    assert draft is not None and draft.drafted_by == people.handler_a
    assert refresh(p).status == Status.ACCEPTED and not p.answers.exists()

    transition(refresh(p), Status.ANSWERED, actor=people.leader_a, **DRAFT)
    answer = Answer.objects.get(petition=p)
    assert answer.answered_by == people.leader_a
    draft.refresh_from_db()
    assert draft.answer == answer and not draft.is_open
    assert p.transitions.filter(step="draft_opinion").exists()


def test_a_handler_cannot_issue_the_opinion_only_draft_it(people) -> None:
    p = _accepted(people)
    with pytest.raises(TransitionNotAllowed):
        transition(p, Status.ANSWERED, actor=people.handler_a, **DRAFT)


def test_the_leader_returns_a_draft_with_a_comment(people) -> None:
    p = _accepted(people)
    p = take_in_state_step(p, "draft_opinion", actor=people.handler_a, **DRAFT)
    p = take_in_state_step(p, "return_opinion", actor=people.leader_a, reason="依据写得不具体")
    draft = OpinionDraft.objects.get(petition=p)
    assert (draft.returned_by, draft.return_comment) == (people.leader_a, "依据写得不具体")
    assert open_draft(p, Stage.HANDLING) is None


def test_returning_needs_a_comment(people) -> None:
    p = _accepted(people)
    p = take_in_state_step(p, "draft_opinion", actor=people.handler_a, **DRAFT)
    with pytest.raises(GuardFailed):
        take_in_state_step(p, "return_opinion", actor=people.leader_a)


def test_a_handler_cannot_return_a_draft(people) -> None:
    p = _accepted(people)
    p = take_in_state_step(p, "draft_opinion", actor=people.handler_a, **DRAFT)
    with pytest.raises(TransitionNotAllowed):
        take_in_state_step(p, "return_opinion", actor=people.handler_a, reason="不行")


def test_nothing_to_return_without_an_open_draft(people) -> None:
    p = _accepted(people)
    with pytest.raises(GuardFailed, match="没有待审批"):
        take_in_state_step(p, "return_opinion", actor=people.leader_a, reason="重写")


def test_a_draft_states_facts_reasons_and_basis_like_the_opinion(people) -> None:
    p = _accepted(people)
    with pytest.raises(GuardFailed, match="依据"):
        take_in_state_step(
            p, "draft_opinion", actor=people.handler_a, **{**DRAFT, "legal_basis": " "}
        )


def test_a_leader_cannot_approve_their_own_draft(people) -> None:
    p = _accepted(people)
    both = people.leader_a  # a leader who also holds the handling grant
    RoleGrant.objects.create(user=both, unit=people.cast.unit_a, role=Role.HANDLER)
    p = take_in_state_step(p, "draft_opinion", actor=both, **DRAFT)
    with pytest.raises(GuardFailed, match="本人起草"):
        transition(refresh(p), Status.ANSWERED, actor=both, **DRAFT)


def test_a_new_draft_supersedes_the_one_still_waiting(people) -> None:
    p = _accepted(people)
    p = take_in_state_step(p, "draft_opinion", actor=people.handler_a, **DRAFT)
    p = take_in_state_step(
        p, "draft_opinion", actor=people.handler_a, **{**DRAFT, "outcome": "explain"}
    )
    assert open_draft(p, Stage.HANDLING).outcome == "explain"
    assert OpinionDraft.objects.filter(petition=p).count() == 2


def test_the_matter_page_offers_the_draft_to_the_handler_and_the_approval_to_the_leader(
    people,
) -> None:
    p = _accepted(people)
    url = reverse("petitions:petition_detail", args=[p.pk])
    step_url = reverse("petitions:petition_step", args=[p.pk, "draft_opinion"])
    handler = _client(people.handler_a)
    assert step_url in handler.get(url).content.decode()
    response = handler.post(step_url, {f"draft_opinion-{k}": v for k, v in DRAFT.items()})
    assert response.status_code == 302
    leader_page = _client(people.leader_a).get(url).content.decode()
    assert "待领导审批" in leader_page
    assert "审批通过并出具信访处理意见书" in leader_page
    assert reverse("petitions:petition_step", args=[p.pk, "return_opinion"]) in leader_page
    assert "路灯损坏属实" in leader_page  # the leader's form starts from the draft


def test_the_page_runs_no_other_in_state_step_by_name(people) -> None:
    p = _accepted(people)
    url = reverse("petitions:petition_step", args=[p.pk, "extend"])
    assert _client(people.leader_a).post(url, {"extend-extension_days": 5}).status_code == 404
