"""条例 Art. 36 (终结): after a re-review opinion, a new matter from the same petitioner (ID
or phone digest) with a similar request is flagged at intake and is not accepted while
unconfirmed; once staff confirm the same facts and reasons it is never accepted again."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.petitions.choices import Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.linking import dismiss_candidate, link_candidate
from xinfang.petitions.models import Petition, SameMatterCandidate
from xinfang.petitions.tests.factories import PetitionerDataFactory, make_petition, refresh
from xinfang.petitions.workflow import transition

REQUEST = "要求补偿房屋征收款项"


def _ended_final(people, person, *, received_on=date(2026, 3, 2)) -> Petition:
    old = make_petition(
        people.cast,
        actor=people.town_registrar,
        summary=REQUEST,
        petitioners=[person],
        received_on=received_on,
    )
    # The earlier matter's path to the re-review opinion is the workflow tests' business;
    # here it only has to have ended final.
    Petition.objects.filter(pk=old.pk).update(status=Status.FINAL, is_final=True)
    return refresh(old)


def _refiled(people, person, summary=REQUEST + "，请再次处理") -> Petition:
    return make_petition(
        people.cast,
        actor=people.town_registrar,
        summary=summary,
        petitioners=[person],
        propose_matches=True,
    )


def test_a_similar_request_of_the_same_petitioner_after_finality_is_flagged(people) -> None:
    person = PetitionerDataFactory(id_number="110101199003077774")
    old = _ended_final(people, person)
    new = _refiled(people, PetitionerDataFactory(id_number=person.id_number))  # other phone
    candidate = SameMatterCandidate.objects.get(petition=new, candidate=old)
    assert candidate.after_final and candidate.same_petitioner


def test_the_flag_finds_a_final_matter_older_than_the_lookback(people) -> None:
    person = PetitionerDataFactory()
    old = _ended_final(people, person, received_on=date(2022, 3, 1))
    new = _refiled(people, PetitionerDataFactory(phone=person.phone))
    assert SameMatterCandidate.objects.get(petition=new, candidate=old).after_final


def test_an_unconfirmed_flag_stops_acceptance(people) -> None:
    person = PetitionerDataFactory()
    _ended_final(people, person)
    new = _refiled(people, PetitionerDataFactory(phone=person.phone))
    with pytest.raises(GuardFailed, match="第三十六条"):
        transition(new, Status.ACCEPTED, actor=people.handler_a)


def test_confirmed_same_facts_and_reasons_are_not_accepted_again(people) -> None:
    person = PetitionerDataFactory()
    _ended_final(people, person)
    new = _refiled(people, PetitionerDataFactory(phone=person.phone))
    link_candidate(new.candidates.get(), actor=people.town_registrar)
    new = refresh(new)
    assert new.after_final
    with pytest.raises(GuardFailed, match="不再受理"):
        transition(new, Status.ACCEPTED, actor=people.handler_a)


def test_staff_who_find_new_facts_dismiss_the_flag_and_accept(people) -> None:
    person = PetitionerDataFactory()
    _ended_final(people, person)
    new = _refiled(people, PetitionerDataFactory(phone=person.phone))
    dismiss_candidate(new.candidates.get(), actor=people.town_registrar)
    new = transition(refresh(new), Status.ACCEPTED, actor=people.handler_a)
    assert new.status == Status.ACCEPTED


def test_a_different_request_of_the_same_petitioner_is_not_flagged(people) -> None:
    person = PetitionerDataFactory()
    _ended_final(people, person)
    new = _refiled(people, PetitionerDataFactory(phone=person.phone), summary="反映村道路灯损坏")
    assert not SameMatterCandidate.objects.filter(petition=new, after_final=True).exists()
    assert transition(new, Status.ACCEPTED, actor=people.handler_a).status == Status.ACCEPTED
