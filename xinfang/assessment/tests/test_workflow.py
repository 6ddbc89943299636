"""The period, fact and appeal workflows: the table, the grants, the phases and reasons."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.assessment import services
from xinfang.assessment.choices import AppealStatus, FactStatus, PeriodStatus
from xinfang.assessment.errors import AssessmentInvalid, PhaseClosed, ReasonMissing
from xinfang.assessment.models import AssessmentTransition, Fact
from xinfang.assessment.tests.platform import office, period, unit_leader
from xinfang.assessment.workflow import PERIOD_STEPS
from xinfang.core.errors import NotFoundOrForbidden, TransitionNotAllowed
from xinfang.core.models import Message
from xinfang.core.workflow import SYSTEM
from xinfang.org.choices import Role
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db

ORDER = [s.value for s in PeriodStatus]


@pytest.mark.parametrize("step", [s for s in PERIOD_STEPS if s.name != "refresh"])
def test_every_period_step_is_refused_outside_its_sources(cast: Cast, step: object) -> None:
    for status in ORDER:
        if status in step.sources:  # type: ignore[attr-defined]
            continue
        p = period(cast, status=status)
        with pytest.raises(TransitionNotAllowed):
            services.take_step(p, step.name, actor=office(cast), reason="试")  # type: ignore[attr-defined]
        return


def test_period_steps_need_the_assess_grant_over_the_assessing_unit(cast: Cast) -> None:
    p = period(cast)
    leader = cast.user_with(Role.UNIT_LEADER, cast.county)
    with pytest.raises(TransitionNotAllowed):
        services.take_step(p, "collect", actor=leader)
    other_office = cast.user_with(Role.ASSESSMENT_OFFICER, cast.unit_b)
    with pytest.raises(TransitionNotAllowed):
        services.take_step(p, "collect", actor=other_office)
    services.take_step(p, "collect", actor=office(cast))
    assert p.status == PeriodStatus.COLLECTING


def test_collect_takes_the_subjects_with_a_category_under_the_assessing_unit(cast: Cast) -> None:
    p = period(cast, status="collecting")
    # In tree order (the materialised path of primary keys, compared as text: on PostgreSQL
    # the keys keep growing across tests, so "1/100/" may sort before "1/99/").
    expected = sorted([cast.unit_a, cast.unit_b, cast.department], key=lambda u: u.path)
    assert [s.unit for s in p.subjects.order_by("position")] == expected


def test_opening_a_phase_sets_its_deadline_in_working_days_and_tells_the_units(
    cast: Cast,
) -> None:
    p = period(cast, status="collecting")
    services.take_step(p, "open_declaration", actor=office(cast))
    # 2026-09-01 is a Tuesday: five working days later is Tuesday 8 September.
    assert p.declaration_due == date(2026, 9, 8)
    assert Message.objects.filter(kind="assessment", recipient_unit=cast.unit_a).count() == 1


def test_a_phase_in_calendar_days_ending_on_national_day_moves_past_the_holiday(
    cast: Cast,
) -> None:
    p = period(cast, status="collecting", working_days=False, declaration_days=30)
    services.take_step(p, "open_declaration", actor=office(cast))
    # 1 September + 30 days = 1 October, inside the National Day holiday (1–7 October).
    assert p.declaration_due == date(2026, 10, 8)


def test_a_deadline_in_a_year_not_entered_is_pending(
    cast: Cast, year_2027_not_entered: None
) -> None:
    p = period(cast, status="collecting")
    with time_machine.travel("2026-12-28T10:00:00+08:00", tick=False):
        services.take_step(p, "open_declaration", actor=office(cast))
    assert p.declaration_due is None and p.due_pending


def test_appeals_open_only_when_every_declaration_is_reviewed(cast: Cast) -> None:
    p = period(cast, status="declaration")
    services.declare_fact(
        actor=unit_leader(cast), period=p, unit=cast.unit_a, item="1.1", day=date(2026, 8, 3)
    )
    services.take_step(p, "start_review", actor=office(cast))
    with pytest.raises(AssessmentInvalid, match="未审核"):
        services.take_step(p, "open_appeals", actor=office(cast))


def test_a_review_needs_a_reason(cast: Cast) -> None:
    p = period(cast, status="declaration")
    fact = services.declare_fact(
        actor=unit_leader(cast), period=p, unit=cast.unit_a, item="1.1", day=date(2026, 8, 3)
    )
    with pytest.raises(TransitionNotAllowed, match="理由"):
        services.take_step(fact, "accept", actor=office(cast))
    services.take_step(fact, "accept", actor=office(cast), reason="属实")
    assert fact.status == FactStatus.ACCEPTED and fact.review_reason == "属实"
    row = AssessmentTransition.objects.get(record_type="fact", record_id=fact.pk)
    assert (row.step, row.reason) == ("accept", "属实")


def test_an_adjustment_keeps_what_the_unit_declared(cast: Cast) -> None:
    p = period(cast, status="declaration")
    fact = services.declare_fact(
        actor=unit_leader(cast),
        period=p,
        unit=cast.unit_a,
        item="1.1",
        day=date(2026, 8, 3),
        quantity=3,
    )
    services.take_step(
        fact, "adjust", actor=office(cast), reason="两件已按期", data={"quantity": 1}
    )
    fact.refresh_from_db()
    assert (fact.status, fact.quantity, fact.declared_quantity) == (FactStatus.ADJUSTED, 1, 3)


def test_a_unit_declares_only_for_itself_and_only_in_the_declaration_phase(cast: Cast) -> None:
    p = period(cast, status="collecting")
    leader = unit_leader(cast)
    with pytest.raises(PhaseClosed):
        services.declare_fact(
            actor=leader, period=p, unit=cast.unit_a, item="1.1", day=date(2026, 8, 3)
        )
    services.take_step(p, "open_declaration", actor=office(cast))
    with pytest.raises(NotFoundOrForbidden):
        services.declare_fact(
            actor=leader, period=p, unit=cast.unit_b, item="1.1", day=date(2026, 8, 3)
        )
    with time_machine.travel("2026-09-09T09:00:00+08:00", tick=False), pytest.raises(PhaseClosed):
        services.declare_fact(
            actor=leader, period=p, unit=cast.unit_a, item="1.1", day=date(2026, 8, 3)
        )


def test_an_unknown_item_or_a_fact_outside_the_period_is_refused(cast: Cast) -> None:
    p = period(cast, status="collecting")
    with pytest.raises(AssessmentInvalid, match="没有考核项目"):
        services.enter_fact(
            actor=office(cast), period=p, unit=cast.unit_a, item="9.9", day=date(2026, 8, 3)
        )
    with pytest.raises(AssessmentInvalid, match="期间之内"):
        services.enter_fact(
            actor=office(cast), period=p, unit=cast.unit_a, item="1.1", day=date(2026, 9, 3)
        )


def test_points_picked_within_a_range_need_a_reason(cast: Cast) -> None:
    p = period(cast, status="collecting", rulebook="pinghu-2012")
    with pytest.raises(ReasonMissing):
        services.enter_fact(
            actor=office(cast), period=p, unit=cast.unit_a, item="6a", day=date(2026, 8, 3), value=3
        )
    fact = services.enter_fact(
        actor=office(cast),
        period=p,
        unit=cast.unit_a,
        item="6a",
        day=date(2026, 8, 3),
        value=2.5,
        note="市信访局通报一次，情节较轻",
    )
    assert fact.value == 2.5


def _appealable(cast: Cast) -> Fact:
    p = period(cast, status="collecting")
    fact = services.enter_fact(
        actor=office(cast), period=p, unit=cast.unit_a, item="2.1", day=date(2026, 8, 4)
    )
    for step in ("open_declaration", "start_review", "open_appeals"):
        services.take_step(p, step, actor=office(cast))
    return fact


def test_a_unit_appeals_its_own_fact_before_the_appeal_deadline(cast: Cast) -> None:
    fact = _appealable(cast)
    with pytest.raises(NotFoundOrForbidden):
        services.file_appeal(
            actor=cast.user_with(Role.HANDLER, cast.unit_b), fact=fact, reason="不服"
        )
    with pytest.raises(ReasonMissing):
        services.file_appeal(actor=unit_leader(cast), fact=fact, reason=" ")
    assert fact.period.appeal_due == date(2026, 9, 8)
    with time_machine.travel("2026-09-09T09:00:00+08:00", tick=False), pytest.raises(PhaseClosed):
        services.file_appeal(actor=unit_leader(cast), fact=fact, reason="已按期答复")
    appeal = services.file_appeal(actor=unit_leader(cast), fact=fact, reason="已按期答复")
    with pytest.raises(AssessmentInvalid, match="待决定"):
        services.file_appeal(actor=unit_leader(cast), fact=fact, reason="再次申诉")
    assert appeal.status == AppealStatus.PENDING


def test_upholding_an_appeal_strikes_the_fact_and_the_period_closes_after_all_are_decided(
    cast: Cast,
) -> None:
    fact = _appealable(cast)
    p = fact.period
    appeal = services.file_appeal(actor=unit_leader(cast), fact=fact, reason="已按期答复")
    with pytest.raises(AssessmentInvalid, match="申诉未作决定"):
        services.take_step(p, "close", actor=office(cast), reason="提前")
    with pytest.raises(TransitionNotAllowed, match="理由"):
        services.take_step(appeal, "uphold", actor=office(cast))
    services.take_step(appeal, "uphold", actor=office(cast), reason="答复在期限内")
    fact.refresh_from_db()
    assert fact.status == FactStatus.STRUCK
    with time_machine.travel("2026-09-09T09:00:00+08:00", tick=False):
        services.take_step(p, "close", actor=office(cast))  # the appeal period has run out
    assert p.status == PeriodStatus.CLOSED


def test_a_rulebook_with_errors_makes_no_scheme(cast: Cast) -> None:
    text = services.shipped_text("model-2022").replace("max: 20", "max: 21", 1)
    with pytest.raises(AssessmentInvalid, match="一致性检查"):
        services.create_scheme(
            actor=SYSTEM, name="坏细则", assessing_unit=cast.county, rulebook_text=text
        )
