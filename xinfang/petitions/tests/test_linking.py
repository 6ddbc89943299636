"""The same matter: proposals by petitioner digest and similar text, link and dismiss."""

from __future__ import annotations

import pytest

from xinfang.petitions.choices import CandidateStatus, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.linking import group_summary, link_candidate, similarity
from xinfang.petitions.models import SameMatterCandidate
from xinfang.petitions.services import PetitionerData
from xinfang.petitions.tests.factories import make_petition, refresh, register
from xinfang.petitions.workflow import transition

ANSWER = {"outcome": "not_support", "facts": "事实", "reasons": "理由", "legal_basis": "依据"}


def test_similarity_of_chinese_texts_uses_word_segmentation() -> None:
    assert similarity("反映东街社区道路积水严重无法通行", "东街社区道路积水严重,无法通行") >= 80
    assert similarity("反映东街社区道路积水", "举报企业拖欠工资") < 50


def test_same_petitioner_is_proposed_by_id_digest(people) -> None:
    person = PetitionerData(name="张三", id_number="11010519491231002X")
    first = make_petition(people.cast, actor=people.town_registrar, petitioners=[person])
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="完全不同的内容",
        petitioners=[PetitionerData(name="张三", id_number="11010519491231002X")],
        propose_matches=True,
    )
    assert [(c.candidate, c.same_petitioner) for c in second.candidates] == [(first, True)]


def test_similar_text_in_the_area_is_proposed(people) -> None:
    first = make_petition(
        people.cast, actor=people.town_registrar, summary="反映甲村道路积水严重雨天无法通行"
    )
    second = register(
        people.cast,
        actor=people.town_registrar,
        summary="甲村道路积水严重,雨天无法通行",
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
    first = transition(first, Status.REVIEW_REQUESTED, actor=vh, reason="不服")
    first = transition(first, Status.REVIEWED, actor=people.leader_a, **ANSWER)
    first = transition(first, Status.REREVIEW_REQUESTED, actor=vh, reason="不服")
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
        refresh(p), Status.NOT_ACCEPTED, actor=people.handler_a, reason="复核终结,不再受理"
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
