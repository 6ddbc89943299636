"""What the handling records besides its steps: recusal (回避, 条例 Art. 28), co-handling
units (Art. 24), agreements landing in the dispute ledger (Art. 33), help after closure
(Art. 37), and the outcome of a suggestion (Art. 29)."""

from __future__ import annotations

import pytest

from xinfang.core.errors import TransitionNotAllowed
from xinfang.ledgers.models import Dispute
from xinfang.org.choices import Role
from xinfang.petitions.choices import Kind, Outcome, Status, SuggestionOutcome
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import AftercareHelp, Agreement, Answer, Petition
from xinfang.petitions.procedure import (
    add_co_handling,
    record_aftercare,
    record_agreement,
    record_recusal,
    sign_off_co_handling,
)
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import allowed_steps, transition

ANSWER = {
    "outcome": Outcome.SUPPORT,
    "facts": "经查属实",
    "reasons": "属本镇职责",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _in_handling(people, **kw) -> Petition:
    p = make_petition(people.cast, actor=people.town_registrar, **kw)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    return transition(p, Status.IN_HANDLING, actor=people.handler_a)


# --- 回避 -------------------------------------------------------------------------------


def test_a_handler_who_declares_an_interest_cannot_handle_the_matter(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    record_recusal(p, actor=people.handler_a, reason="信访人是本人近亲属")
    with pytest.raises(TransitionNotAllowed, match="回避"):
        transition(p, Status.ACCEPTED, actor=people.handler_a)
    assert allowed_steps(p, people.handler_a) == []


def test_a_leader_records_a_recusal_and_the_handler_is_released(people) -> None:
    p = _in_handling(people)
    assert p.handler == people.handler_a
    record_recusal(p, actor=people.leader_a, user=people.handler_a, reason="与被反映人有利害关系")
    assert refresh(p).handler is None


def test_a_recused_member_of_staff_is_never_made_the_handler(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    record_recusal(p, actor=people.leader_a, user=people.handler_a, reason="与被反映人有利害关系")
    with pytest.raises(GuardFailed, match="回避"):
        transition(refresh(p), Status.IN_HANDLING, actor=people.leader_a, handler=people.handler_a)


def test_only_a_leader_records_someone_elses_recusal(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    other = people.cast.user_with(Role.HANDLER, people.cast.unit_a, "handler-a2")
    with pytest.raises(TransitionNotAllowed):
        record_recusal(p, actor=other, user=people.handler_a, reason="听说有亲属关系")


# --- Art. 24 ----------------------------------------------------------------------------


def test_the_lead_unit_answers_only_after_every_co_handling_unit_signed_off(people) -> None:
    p = _in_handling(people)
    co = add_co_handling(p, actor=people.leader_a, unit=people.cast.unit_b, part="核实供水管网")
    with pytest.raises(GuardFailed, match="第二十四条"):
        transition(refresh(p), Status.ANSWERED, actor=people.leader_a, **ANSWER)
    sign_off_co_handling(co, actor=people.handler_b, result="管网已修复")
    p = transition(refresh(p), Status.ANSWERED, actor=people.leader_a, **ANSWER)
    assert p.status == Status.ANSWERED


def test_a_co_handling_unit_sees_the_matter_and_signs_off_only_its_own_part(people) -> None:
    p = _in_handling(people)
    co = add_co_handling(p, actor=people.leader_a, unit=people.cast.unit_b, part="核实供水管网")
    assert Petition.objects.restrict(people.handler_b, "view").filter(pk=p.pk).exists()
    with pytest.raises(TransitionNotAllowed):
        sign_off_co_handling(co, actor=people.handler_a, result="代为确认")


def test_the_accused_unit_is_never_a_co_handling_unit(people) -> None:
    p = _in_handling(people, kind=Kind.ACCUSATION, accused_unit=people.cast.unit_b)
    with pytest.raises(TransitionNotAllowed, match="第三十条"):
        add_co_handling(p, actor=people.leader_a, unit=people.cast.unit_b, part="核实")


# --- Art. 33 ----------------------------------------------------------------------------


def test_an_agreement_lands_in_the_dispute_ledger(people) -> None:
    p = _in_handling(people)
    agreement = record_agreement(
        p,
        actor=people.handler_a,
        kind=Agreement.Kind.MEDIATION,
        parties="张三、李四",
        text="李四于十日内疏通排水沟",
    )
    dispute = Dispute.objects.get(petition=p)
    assert dispute.agreement_text == "李四于十日内疏通排水沟"
    assert dispute.petition_ref == p.number
    assert agreement.dispute_ref == (dispute.number or str(dispute.pk))


def test_an_agreement_is_recorded_only_while_the_matter_is_handled(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    with pytest.raises(GuardFailed):
        record_agreement(p, actor=people.handler_a, kind="mediation", parties="甲", text="乙")


# --- Art. 37 ----------------------------------------------------------------------------


def test_help_after_closure_is_recorded(people) -> None:
    p = _in_handling(people)
    p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    p = transition(p, Status.CLOSED, actor=people.handler_a)
    row = record_aftercare(p, actor=people.handler_a, measure="协调临时救助金", note="已发放")
    assert AftercareHelp.objects.get(petition=p) == row and row.unit == people.cast.unit_a


def test_help_is_recorded_only_after_closure(people) -> None:
    p = _in_handling(people)
    with pytest.raises(GuardFailed, match="第三十七条"):
        record_aftercare(p, actor=people.handler_a, measure="临时救助")


# --- Art. 29 ----------------------------------------------------------------------------


def test_a_suggestion_is_answered_with_its_adoption(people) -> None:
    p = _in_handling(people, kind=Kind.SUGGESTION)
    with pytest.raises(GuardFailed, match="第二十九条"):
        transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    transition(
        refresh(p),
        Status.ANSWERED,
        actor=people.leader_a,
        suggestion_outcome=SuggestionOutcome.PARTLY,
        **ANSWER,
    )
    assert Answer.objects.get(petition=p).suggestion_outcome == SuggestionOutcome.PARTLY


def test_suggestion_outcomes_are_counted_for_the_annual_report(people) -> None:
    from datetime import date

    from xinfang.petitions.measures import suggestion_outcomes

    for outcome in (SuggestionOutcome.ADOPTED, SuggestionOutcome.ADOPTED, SuggestionOutcome.PARTLY):
        p = _in_handling(people, kind=Kind.SUGGESTION)
        transition(p, Status.ANSWERED, actor=people.leader_a, suggestion_outcome=outcome, **ANSWER)
    counts = suggestion_outcomes(people.cast.county, date(2026, 1, 1), date(2026, 12, 31))
    assert counts == {"adopted": 2, "partly": 1, "not_adopted": 0}
    assert suggestion_outcomes(people.cast.unit_b, date(2026, 1, 1), date(2026, 12, 31)) == {
        "adopted": 0,
        "partly": 0,
        "not_adopted": 0,
    }
