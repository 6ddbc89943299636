"""The transition table: every allowed step works for the granted actor, every other pair is
refused, guards enforce the articles, and the compare-and-swap catches concurrent changes."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditEntry
from xinfang.petitions.choices import Channel, Kind, Outcome, Rating, RouteMode, Status
from xinfang.petitions.errors import AccusationRoutingRefused, GuardFailed
from xinfang.petitions.models import Petition, RouteHandover, Transition
from xinfang.petitions.services import extend_handling
from xinfang.petitions.tests.factories import make_petition, petitioner_proof, refresh
from xinfang.petitions.workflow import STEPS, step_between, transition

ANSWER = {
    "outcome": Outcome.SUPPORT,
    "facts": "经查，反映的道路积水属实。",
    "reasons": "属于镇政府职责范围。",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def _routed(people, **kw) -> Petition:
    p = make_petition(people.cast, unit=people.cast.county, actor=people.registrar, **kw)
    return transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.cast.unit_a)


def test_full_path_from_letter_to_final_rereview(people) -> None:
    cast = people.cast
    with _at("2026-03-02"):
        p = make_petition(cast, unit=cast.county, actor=people.registrar)
        assert p.status == Status.REGISTERED and p.route_due == date(2026, 3, 17)
        p = transition(p, Status.ROUTED, actor=people.registrar, to_unit=cast.unit_a)
        assert p.responsible_unit == cast.unit_a and p.next_due_step == "notice"
        p = transition(p, Status.ACCEPTED, actor=people.handler_a, notice="已受理")
        assert p.handle_due == date(2026, 5, 6)  # 60 days → 1 May (holiday) → 6 May
        p = transition(p, Status.IN_HANDLING, actor=people.handler_a)
        assert p.handler == people.handler_a
        extend_handling(p, actor=people.leader_a, days=30, reason="需要现场勘查")
        p = refresh(p)
        assert p.handle_due == date(2026, 6, 1)  # 90 days from 2 March = 31 May (Sun) → 1 June
        p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
        assert p.outcome == Outcome.SUPPORT and p.review_request_due == date(2026, 4, 1)
        p = transition(
            p, Status.EVALUATED, actor=None, petitioner=petitioner_proof(p), rating=Rating.SATISFIED
        )
        p = transition(
            p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不服"
        )
        assert p.review_due == date(2026, 4, 1)
        p = transition(p, Status.REVIEWED, actor=people.county_leader, **ANSWER)
        assert p.status == Status.REVIEWED and p.rereview_request_due == date(2026, 4, 1)
        # The county has no body above it in this cast: no re-review can be requested.
        with pytest.raises(GuardFailed):
            transition(
                p,
                Status.REREVIEW_REQUESTED,
                actor=None,
                petitioner=petitioner_proof(p),
                reason="仍不服",
            )
        p = transition(refresh(p), Status.CLOSED, actor=people.handler_a)
    assert p.status == Status.CLOSED
    names = list(Transition.objects.filter(petition=p).values_list("step", flat=True))
    assert names == [
        "register",
        "route",
        "accept",
        "start_handling",
        "extend",
        "answer",
        "evaluate",
        "request_review",
        "review_opinion",
        "close",
    ]


def test_every_pair_outside_the_table_is_refused(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    for source in Status.values:
        for target in Status.values:
            if step_between(source, target) is not None:
                continue
            Petition.objects.filter(pk=p.pk).update(status=source)
            with pytest.raises(TransitionNotAllowed):
                transition(refresh(p), target, actor=people.leader_a, reason="x")


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_every_step_is_refused_without_the_grant(people, step) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    source = sorted(step.sources)[0]
    Petition.objects.filter(pk=p.pk).update(status=source)
    for outsider in (people.handler_b, people.cast.no_grant):
        with pytest.raises(TransitionNotAllowed):
            transition(refresh(p), step.target, actor=outsider, reason="x")
    assert Transition.objects.filter(petition=p).exclude(step="register").count() == 0


def test_a_citizen_may_only_take_petitioner_steps(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    with pytest.raises(TransitionNotAllowed):
        transition(p, Status.ACCEPTED, actor=None, petitioner=petitioner_proof(p))


def test_transition_writes_timeline_and_audit(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    before = AuditEntry.objects.count()
    transition(p, Status.ACCEPTED, actor=people.handler_a, notice="当场告知")
    row = Transition.objects.filter(petition=p, step="accept").get()
    assert (row.from_status, row.to_status, row.actor) == (
        Status.REGISTERED,
        Status.ACCEPTED,
        people.handler_a,
    )
    assert AuditEntry.objects.count() == before + 1


def test_stale_copy_loses_the_compare_and_swap(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    stale = refresh(p)
    transition(p, Status.ACCEPTED, actor=people.handler_a)
    with pytest.raises(ConcurrentChange):
        transition(stale, Status.NOT_ACCEPTED, actor=people.handler_a, reason="不属于本机关")
    assert refresh(p).status == Status.ACCEPTED


def test_extension_after_concurrent_answer_is_refused(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    stale = refresh(p)
    transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    with pytest.raises((ConcurrentChange, GuardFailed)):
        extend_handling(stale, actor=people.leader_a, days=10, reason="x")


def test_objection_within_five_working_days_returns_the_matter(people) -> None:
    with _at("2026-09-29"):  # Tue; National Day 1–7 Oct, make-up day Sat 10 Oct
        p = _routed(people)
        # Working days: Wed 30 Sep, Thu 8 Oct, Fri 9 Oct, Sat 10 Oct (make-up day), Mon 12 Oct.
        assert p.objection_due == date(2026, 10, 12)
    with _at("2026-10-12"):
        p = transition(refresh(p), Status.OBJECTED, actor=people.handler_a, reason="不属本镇职权")
    assert p.responsible_unit == people.cast.county
    assert RouteHandover.objects.get(petition=p).objection_reason == "不属本镇职权"


def test_objection_after_five_working_days_is_refused(people) -> None:
    with _at("2026-09-29"):
        p = _routed(people)
    with _at("2026-10-13"), pytest.raises(GuardFailed):
        transition(refresh(p), Status.OBJECTED, actor=people.handler_a, reason="迟了")


def test_not_accepted_needs_a_written_reason(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    with pytest.raises(GuardFailed):
        transition(p, Status.NOT_ACCEPTED, actor=people.handler_a, reason=" ")
    p = transition(p, Status.NOT_ACCEPTED, actor=people.handler_a, reason="应通过诉讼解决")
    assert p.status == Status.NOT_ACCEPTED and p.next_due is None


def test_answer_requires_the_unit_leader_and_the_facts(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    with pytest.raises(TransitionNotAllowed):
        transition(p, Status.ANSWERED, actor=people.handler_a, **ANSWER)
    with pytest.raises(GuardFailed):
        transition(p, Status.ANSWERED, actor=people.leader_a, **{**ANSWER, "facts": ""})


def test_only_one_extension_of_at_most_30_days(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    with pytest.raises(TransitionNotAllowed):
        extend_handling(p, actor=people.handler_a, days=10, reason="承办人不能批准")
    with pytest.raises(GuardFailed):
        extend_handling(p, actor=people.leader_a, days=31, reason="太长")
    extend_handling(p, actor=people.leader_a, days=15, reason="需要鉴定")
    with pytest.raises(GuardFailed):
        extend_handling(refresh(p), actor=people.leader_a, days=5, reason="再延")


def test_close_from_answered_requires_return_visit_for_collective_visits(people) -> None:
    p = make_petition(
        people.cast, actor=people.town_registrar, channel=Channel.COLLECTIVE_VISIT, head_count=30
    )
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    with pytest.raises(GuardFailed):
        transition(p, Status.CLOSED, actor=people.handler_a)
    p = transition(
        p,
        Status.EVALUATED,
        actor=None,
        petitioner=petitioner_proof(p),
        rating=Rating.BASICALLY_SATISFIED,
    )
    assert transition(p, Status.CLOSED, actor=people.handler_a).status == Status.CLOSED


def test_review_request_after_30_days_is_refused(people) -> None:
    with _at("2026-03-02"):
        p = make_petition(people.cast, actor=people.town_registrar)
        p = transition(p, Status.ACCEPTED, actor=people.handler_a)
        p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    with _at("2026-04-02"), pytest.raises(GuardFailed):
        transition(
            refresh(p),
            Status.REVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner_proof(refresh(p)),
            reason="不服",
        )
    with _at("2026-04-01"):
        p = transition(
            refresh(p),
            Status.REVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner_proof(refresh(p)),
            reason="不服",
        )
    assert p.status == Status.REVIEW_REQUESTED


def test_petitioner_may_rate_and_request_review_online(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    p = transition(
        p, Status.EVALUATED, actor=None, petitioner=petitioner_proof(p), rating=Rating.DISSATISFIED
    )
    p = transition(
        p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不满意"
    )
    assert p.review_requests.get().by_petitioner


def test_rereview_opinion_is_final_and_a_repeat_is_flagged(people) -> None:
    county, unit_a = people.cast.county, people.cast.unit_a
    province_like = county  # the county reviews; re-review goes above the county
    with _at("2026-03-02"):
        p = make_petition(people.cast, actor=people.town_registrar, unit=people.cast.village_a)
        Petition.objects.filter(pk=p.pk).update(responsible_unit=people.cast.village_a)
        village_handler = people.cast.user_with("handler", people.cast.village_a, "vh")
        village_leader = people.cast.user_with("unit_leader", people.cast.village_a, "vl")
        p = transition(refresh(p), Status.ACCEPTED, actor=village_handler)
        p = transition(p, Status.ANSWERED, actor=village_leader, **ANSWER)
        p = transition(
            p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不服"
        )
        assert p.review_requests.get().reviewing_unit == unit_a
        p = transition(p, Status.REVIEWED, actor=people.leader_a, **ANSWER)
        p = transition(
            p,
            Status.REREVIEW_REQUESTED,
            actor=None,
            petitioner=petitioner_proof(p),
            reason="仍不服",
        )
        assert p.review_requests.get(level="rereview").reviewing_unit == province_like
        p = transition(p, Status.FINAL, actor=people.county_leader, **ANSWER)
    assert p.is_final and p.status == Status.FINAL


def test_accusation_cannot_be_routed_to_the_accused_unit(people) -> None:
    cast = people.cast
    p = make_petition(
        cast,
        unit=cast.county,
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.department,
    )
    with pytest.raises(AccusationRoutingRefused):
        transition(p, Status.ROUTED, actor=people.registrar, to_unit=cast.department)
    p = transition(
        refresh(p),
        Status.ROUTED,
        actor=people.registrar,
        to_unit=people.discipline,
        mode=RouteMode.FORWARD,
    )
    assert p.responsible_unit == people.discipline


def _answered(people, p: Petition) -> Petition:
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    return transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)


def _cosigned(people, signers: int, *, agent: bool = False) -> Petition:
    from xinfang.petitions.services import PetitionerData

    persons = [PetitionerData(name="联名人甲", phone="13900000000")] + [
        PetitionerData(name=f"联名人{i}", role="cosigner") for i in range(1, signers)
    ]
    if agent:
        persons.append(PetitionerData(name="代理人", role="agent"))
    return make_petition(people.cast, actor=people.town_registrar, petitioners=persons)


def _required_cases(people) -> dict[str, Petition]:
    cast = people.cast
    repeat = make_petition(cast, actor=people.town_registrar)
    from xinfang.petitions.models import MatterGroup

    Petition.objects.filter(pk=repeat.pk).update(
        group=MatterGroup.objects.create(created_by=people.town_registrar)
    )
    routed_down = make_petition(cast, unit=cast.county, actor=people.registrar)
    routed_down = transition(
        routed_down, Status.ROUTED, actor=people.registrar, to_unit=cast.unit_a
    )
    return {
        "co-signed by five": _cosigned(people, 5),
        "repeat matter": refresh(repeat),
        "forwarded by a higher office": make_petition(
            cast,
            actor=people.town_registrar,
            channel=Channel.FORWARDED,
            handed_down_by=cast.county,
        ),
        "assigned by a higher office": make_petition(
            cast,
            actor=people.town_registrar,
            channel=Channel.ASSIGNED,
            handed_down_by=cast.county,
        ),
        "handed over from the county": routed_down,
    }


def test_required_return_visits_block_closing_until_the_petitioner_is_visited(people) -> None:
    for label, p in _required_cases(people).items():
        p = _answered(people, p)
        with pytest.raises(GuardFailed, match="须先回访"):
            transition(p, Status.CLOSED, actor=people.handler_a)
        p = transition(
            refresh(p),
            Status.EVALUATED,
            actor=None,
            petitioner=petitioner_proof(refresh(p)),
            rating="satisfied",
        )
        assert transition(p, Status.CLOSED, actor=people.handler_a).status == Status.CLOSED, label


def test_an_ordinary_matter_may_close_after_its_answer_without_a_visit(people) -> None:
    four_and_an_agent = _answered(people, _cosigned(people, 4, agent=True))
    assert transition(four_and_an_agent, Status.CLOSED, actor=people.handler_a).closed_on
    # A hand-over between sibling townships is not a matter "from above".
    b_registrar = people.cast.user_with("registrar", people.cast.unit_b, "b-registrar")
    sibling = make_petition(people.cast, unit=people.cast.unit_b, actor=b_registrar)
    sibling = transition(sibling, Status.ROUTED, actor=b_registrar, to_unit=people.cast.unit_a)
    sibling = _answered(people, sibling)
    assert transition(sibling, Status.CLOSED, actor=people.handler_a).status == Status.CLOSED


def test_a_matter_flagged_after_final_is_not_reopened_anywhere(people) -> None:
    cast = people.cast
    p = make_petition(cast, unit=cast.county, actor=people.registrar)
    Petition.objects.filter(pk=p.pk).update(after_final=True)
    p = transition(refresh(p), Status.ROUTED, actor=people.registrar, to_unit=cast.unit_a)
    with pytest.raises(GuardFailed, match="第三十六条"):
        transition(p, Status.ACCEPTED, actor=people.handler_a)
    # A final matter has no way out of the table (no review, no re-opening).
    assert step_between(Status.FINAL, Status.REVIEW_REQUESTED) is None
    assert not [s for s in STEPS if Status.FINAL in s.sources]
