"""The same matter: proposals by petitioner digest and similar text, link and dismiss."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.petitions.choices import CandidateStatus, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.linking import (
    TEXT_THRESHOLD,
    group_summary,
    link_candidate,
    open_proposals,
    similarity,
    weighted_score,
)
from xinfang.petitions.models import SameMatterCandidate
from xinfang.petitions.services import PetitionerData
from xinfang.petitions.tests.factories import make_petition, petitioner_proof, refresh, register
from xinfang.petitions.workflow import transition

ANSWER = {"outcome": "not_support", "facts": "事实", "reasons": "理由", "legal_basis": "依据"}


def test_similarity_of_chinese_texts_uses_word_segmentation() -> None:
    assert similarity("反映东街社区道路积水严重无法通行", "东街社区道路积水严重，无法通行") >= 80
    assert similarity("反映东街社区道路积水", "举报企业拖欠工资") < 50


def test_the_same_petitioner_with_a_related_request_is_proposed(people) -> None:
    person = PetitionerData(name="张三", id_number="11010519491231002X")
    first = make_petition(
        people.cast, actor=people.town_registrar, petitioners=[person], summary="反映甲村道路积水"
    )
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="甲村道路积水仍未处理，再次反映",
        petitioners=[PetitionerData(name="张三", id_number="11010519491231002X")],
        propose_matches=True,
    )
    assert [(c.candidate, c.same_petitioner) for c in second.candidates] == [(first, True)]


def test_the_same_petitioner_on_another_subject_is_not_proposed(people) -> None:
    person = PetitionerData(name="张三", id_number="11010519491231002X")
    make_petition(
        people.cast, actor=people.town_registrar, petitioners=[person], summary="反映甲村道路积水"
    )
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="举报企业拖欠工资",
        petitioners=[PetitionerData(name="张三", id_number="11010519491231002X")],
        propose_matches=True,
    )
    assert second.candidates == []


def test_the_petitioner_weighs_in_with_the_request() -> None:
    assert weighted_score(45, same_petitioner=True) >= TEXT_THRESHOLD
    assert weighted_score(45, same_petitioner=False) < TEXT_THRESHOLD
    assert weighted_score(95, same_petitioner=True) == 100


def test_proposals_disappear_once_the_matter_is_closed_or_decided(people) -> None:
    first = make_petition(
        people.cast, actor=people.town_registrar, summary="反映甲村道路积水严重雨天无法通行"
    )
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="甲村道路积水严重，雨天无法通行",
        propose_matches=True,
    ).petition
    assert [c.candidate for c in open_proposals(second, people.town_registrar)] == [first]
    p = transition(second, Status.ACCEPTED, actor=people.handler_a)
    p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    p = transition(p, Status.CLOSED, actor=people.handler_a)
    assert list(open_proposals(p, people.town_registrar)) == []
    detail = Client()
    detail.force_login(people.town_registrar)
    page = detail.get(reverse("petitions:petition_detail", args=[p.pk])).content.decode()
    assert "可能相同" not in page


def test_other_proposals_into_the_same_group_disappear_once_one_is_linked(people) -> None:
    summary = "反映甲村道路积水严重雨天无法通行"
    first = make_petition(people.cast, actor=people.town_registrar, summary=summary)
    second = make_petition(people.cast, actor=people.town_registrar, summary=summary)
    link_candidate(
        SameMatterCandidate.objects.create(petition=second, candidate=first, score=90),
        actor=people.town_registrar,
    )
    third = register(
        people.cast, actor=people.town_registrar, summary=summary, propose_matches=True
    ).petition
    proposals = {c.candidate_id: c for c in third.candidates.all()}
    assert set(proposals) == {first.pk, second.pk}
    link_candidate(proposals[first.pk], actor=people.town_registrar)
    assert list(open_proposals(refresh(third), people.town_registrar)) == []


def test_similar_text_in_the_area_is_proposed(people) -> None:
    first = make_petition(
        people.cast, actor=people.town_registrar, summary="反映甲村道路积水严重雨天无法通行"
    )
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="甲村道路积水严重，雨天无法通行",
        propose_matches=True,
    )
    assert [c.candidate for c in second.candidates] == [first]


def test_linking_to_a_matter_in_handling_closes_the_new_one_as_linked(people) -> None:
    first = make_petition(
        people.cast, actor=people.town_registrar, summary="反映乙路路灯损坏多日无人修理"
    )
    transition(first, Status.ACCEPTED, actor=people.handler_a)
    higher = register(
        people.cast,
        unit=people.cast.county,
        actor=people.registrar,
        summary="乙路路灯损坏多日无人修理",
        propose_matches=True,
    )
    candidate = higher.candidates[0]
    p = link_candidate(candidate, actor=people.registrar)
    assert p.status == Status.LINKED and p.group_id == refresh(first).group_id
    summary = group_summary(p, people.registrar)
    assert summary is not None and len(summary.contacts) == 2
    assert summary.highest_level == "county"
    assert SameMatterCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.LINKED


def test_a_repeat_after_final_rereview_is_flagged_and_cannot_be_accepted(people) -> None:
    cast = people.cast
    vh = cast.user_with("handler", cast.village_a, "vh2")
    vl = cast.user_with("unit_leader", cast.village_a, "vl2")
    first = make_petition(
        cast,
        unit=cast.village_a,
        actor=cast.user_with("registrar", cast.village_a, "vr"),
        summary="丙村宅基地纠纷请求重新划界",
    )
    first = transition(first, Status.ACCEPTED, actor=vh)
    first = transition(first, Status.ANSWERED, actor=vl, **ANSWER)
    first = transition(
        first,
        Status.REVIEW_REQUESTED,
        actor=None,
        petitioner=petitioner_proof(first),
        reason="不服",
    )
    first = transition(first, Status.REVIEWED, actor=people.leader_a, **ANSWER)
    first = transition(
        first,
        Status.REREVIEW_REQUESTED,
        actor=None,
        petitioner=petitioner_proof(first),
        reason="不服",
    )
    first = transition(first, Status.FINAL, actor=people.county_leader, **ANSWER)
    again = register(
        cast,
        actor=people.town_registrar,
        summary="丙村宅基地纠纷请求重新划界",
        propose_matches=True,
    )
    p = link_candidate(again.candidates[0], actor=people.town_registrar)
    assert p.after_final and p.status == Status.REGISTERED
    with pytest.raises(GuardFailed):
        transition(refresh(p), Status.ACCEPTED, actor=people.handler_a)
    p = transition(
        refresh(p), Status.NOT_ACCEPTED, actor=people.handler_a, reason="复核终结，不再受理"
    )
    assert p.status == Status.NOT_ACCEPTED


def test_dismissed_candidates_stay_dismissed(people) -> None:
    from xinfang.petitions.linking import dismiss_candidate

    make_petition(people.cast, actor=people.town_registrar, summary="反映丁街噪音扰民严重影响休息")
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="丁街噪音扰民严重影响休息",
        propose_matches=True,
    )
    candidate = second.candidates[0]
    dismiss_candidate(candidate, actor=people.town_registrar)
    assert SameMatterCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.DISMISSED
    with pytest.raises(GuardFailed):
        dismiss_candidate(
            SameMatterCandidate.objects.get(pk=candidate.pk), actor=people.town_registrar
        )


def test_registration_stores_the_segmented_summary_once(people, monkeypatch) -> None:
    from xinfang.petitions import linking

    older = [
        make_petition(people.cast, actor=people.town_registrar, summary=f"反映戊村道路积水第{i}处")
        for i in range(3)
    ]
    # Matters registered without a search have no tokens yet: the first search fills them.
    assert all(refresh(p).summary_tokens is None for p in older)
    first = register(
        people.cast,
        actor=people.town_registrar,
        summary="戊村道路积水严重",
        propose_matches=True,
    )
    assert refresh(first.petition).summary_tokens == linking.summary_tokens("戊村道路积水严重")
    assert all(refresh(p).summary_tokens == linking.summary_tokens(p.summary) for p in older)
    calls: list[str] = []
    real = linking._tokens
    monkeypatch.setattr(linking, "_tokens", lambda text: calls.append(text) or real(text))
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="戊村道路积水严重无法通行",
        full_text="雨天积水",
        propose_matches=True,
    )
    # Only the new matter's own texts are segmented: its summary and its full text.
    assert calls == ["戊村道路积水严重无法通行", "雨天积水"]
    assert {c.candidate for c in second.candidates} >= {first.petition}


def test_the_background_search_skips_a_deleted_matter(people) -> None:
    from xinfang.petitions.linking import propose_candidates_for
    from xinfang.petitions.tasks import propose_candidates_task

    make_petition(people.cast, actor=people.town_registrar, summary="反映己街井盖缺失")
    later = make_petition(people.cast, actor=people.town_registrar, summary="己街井盖缺失")
    propose_candidates_task(later.pk)  # huey runs inline in tests
    assert SameMatterCandidate.objects.filter(petition=later).count() == 1
    assert propose_candidates_for(later.pk) == 1  # idempotent: the same proposal
    assert propose_candidates_for(10**9) == 0
