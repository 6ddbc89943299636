"""Rules of supervision: the six fields, the answer due date, overdue, instructions."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditEntry
from xinfang.supervision import services
from xinfang.supervision.errors import SupervisionInvalid
from xinfang.supervision.facts import supervision_fact_rows
from xinfang.supervision.models import Instruction, Reminder, SupervisionNotice
from xinfang.supervision.tests.conftest import Crew
from xinfang.supervision.tests.factories import matter

pytestmark = pytest.mark.django_db


def _listing_args(crew: Crew, **overrides: object) -> dict[str, object]:
    cast = crew.cast
    args: dict[str, object] = {
        "lead_leader": crew.county_leader,
        "responsible_unit": cast.unit_a,
        "responsible_person": crew.handler_a,
        "supervising_unit": cast.county,
        "supervisor": crew.supervisor,
        "deadline": date(2026, 7, 31),
        "reason": "涉及人数多",
    }
    args.update(overrides)
    return args


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_listed_supervision_requires_all_six_fields(crew: Crew) -> None:
    p = matter(crew.cast)
    with pytest.raises(SupervisionInvalid) as exc:
        services.list_supervision(
            actor=crew.supervisor,
            petition=p,
            **_listing_args(crew, lead_leader=None, supervisor=None, deadline=None),
        )
    # Every missing field is named at once.
    assert (
        "包案领导" in str(exc.value) and "督办人" in str(exc.value) and "办结时限" in str(exc.value)
    )
    for field in ("responsible_unit", "responsible_person", "supervising_unit"):
        with pytest.raises(SupervisionInvalid, match="六定"):
            services.list_supervision(
                actor=crew.supervisor, petition=p, **_listing_args(crew, **{field: None})
            )
    listed = services.list_supervision(actor=crew.supervisor, petition=p, **_listing_args(crew))
    assert listed.deadline == date(2026, 7, 31)
    assert AuditEntry.objects.filter(object_type="supervision.listedsupervision").exists()


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_listed_supervision_checks_the_people_and_units(crew: Crew) -> None:
    p = matter(crew.cast)
    with pytest.raises(SupervisionInvalid, match="责任人"):
        services.list_supervision(
            actor=crew.supervisor,
            petition=p,
            **_listing_args(crew, responsible_person=crew.handler_b),
        )
    with pytest.raises(SupervisionInvalid, match="督办人"):
        services.list_supervision(
            actor=crew.supervisor, petition=p, **_listing_args(crew, supervisor=crew.handler_a)
        )
    with pytest.raises(SupervisionInvalid, match="包案领导"):
        services.list_supervision(
            actor=crew.supervisor, petition=p, **_listing_args(crew, lead_leader=crew.handler_b)
        )
    with pytest.raises(SupervisionInvalid, match="不能早于"):
        services.list_supervision(
            actor=crew.supervisor, petition=p, **_listing_args(crew, deadline=date(2026, 5, 1))
        )
    with pytest.raises(TransitionNotAllowed):
        services.list_supervision(actor=crew.handler_a, petition=p, **_listing_args(crew))
    services.list_supervision(actor=crew.supervisor, petition=p, **_listing_args(crew))
    with pytest.raises(SupervisionInvalid, match="已挂牌"):
        services.list_supervision(actor=crew.supervisor, petition=p, **_listing_args(crew))


@time_machine.travel("2026-09-03 10:00 +0800", tick=False)
def test_notice_answer_due_moves_past_national_day_2026(crew: Crew) -> None:
    p = matter(crew.cast)
    notice = services.issue_notice(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=crew.cast.county,
        reasons="进度缓慢",
        recommendation="建议实地核查",
    )
    # 2026-09-03 + 30 days = 2026-10-03, inside the National Day holiday (Oct 1–7):
    # the period ends on the next working day, 2026-10-08 (民法典 Art. 203).
    assert notice.answer_due == date(2026, 10, 8)
    assert notice.number == "测试县督〔2026〕1号"


@time_machine.travel("2026-01-17 10:00 +0800", tick=False)
def test_notice_answer_due_moves_past_spring_festival_2026(crew: Crew) -> None:
    p = matter(crew.cast)
    notice = services.issue_notice(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=crew.cast.county,
        reasons="进度缓慢",
        recommendation="建议实地核查",
    )
    # 2026-01-17 + 30 = 2026-02-16, in the Spring Festival holiday (Feb 15–23) → Feb 24.
    assert notice.answer_due == date(2026, 2, 24)


def test_notice_answer_period_is_the_offices_setting_not_a_rule_of_art_40(
    crew: Crew, settings: object
) -> None:
    # 条例 Arts. 39–40 (2022) set no period for the written answer: the office sets it.
    settings.XINFANG_SUPERVISION_ANSWER_DAYS = 20  # type: ignore[attr-defined]
    notice = services.issue_notice(
        actor=crew.supervisor,
        petition=matter(crew.cast),
        supervising_unit=crew.cast.county,
        reasons="进度缓慢",
        recommendation="建议实地核查",
    )
    assert notice.answer_days == 20
    assert notice.answer_due == date(2026, 9, 21)  # 1 Sep + 20 days


def test_a_notice_may_name_its_own_answer_period(crew: Crew) -> None:
    notice = services.issue_notice(
        actor=crew.supervisor,
        petition=matter(crew.cast),
        supervising_unit=crew.cast.county,
        reasons="进度缓慢",
        recommendation="建议实地核查",
        answer_days=15,
    )
    assert notice.answer_days == 15 and notice.answer_due == date(2026, 9, 16)


def test_notice_due_waits_for_an_uncovered_year(crew: Crew) -> None:
    assert services.notice_answer_due(date(2026, 12, 20)) is None  # ends in 2027


def test_unanswered_notice_is_overdue_and_an_assessment_fact(crew: Crew) -> None:
    cast = crew.cast
    with time_machine.travel("2026-09-03 10:00 +0800", tick=False):
        p = matter(cast)
        notice = services.issue_notice(
            actor=crew.supervisor,
            petition=p,
            supervising_unit=cast.county,
            reasons="进度缓慢",
            recommendation="建议实地核查",
        )
    on_due, after = date(2026, 10, 8), date(2026, 10, 9)
    assert not SupervisionNotice.objects.overdue(on_due).exists()  # the last day still counts
    assert list(SupervisionNotice.objects.overdue(after)) == [notice]
    rows = supervision_fact_rows(cast.unit_a, date(2026, 10, 1), date(2026, 10, 31), today=after)
    assert [(r.key, r.quantity, r.date) for r in rows] == [
        ("supervision.notice.unanswered", 1, on_due)
    ]
    # The sibling township has no such fact.
    assert (
        supervision_fact_rows(cast.unit_b, date(2026, 10, 1), date(2026, 10, 31), today=after) == []
    )
    with time_machine.travel("2026-10-08 10:00 +0800", tick=False):
        services.answer_notice(notice, actor=crew.leader_a, adopted=True, answer="已采纳，正在落实")
    assert not SupervisionNotice.objects.overdue(after).exists()
    assert (
        supervision_fact_rows(cast.unit_a, date(2026, 10, 1), date(2026, 10, 31), today=after) == []
    )


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_notice_answer_is_by_the_responsible_unit_once(crew: Crew) -> None:
    p = matter(crew.cast)
    notice = services.issue_notice(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=crew.cast.county,
        reasons="进度缓慢",
        recommendation="建议实地核查",
    )
    with pytest.raises(TransitionNotAllowed):
        services.answer_notice(notice, actor=crew.handler_b, adopted=True, answer="代答")
    stale = SupervisionNotice.objects.get(pk=notice.pk)
    services.answer_notice(
        notice, actor=crew.handler_a, adopted=False, answer="经研究不予采纳，理由如下"
    )
    with pytest.raises(ConcurrentChange):
        services.answer_notice(stale, actor=crew.handler_a, adopted=True, answer="再次回复")
    notice.refresh_from_db()
    assert notice.adopted is False and notice.status == "answered"


def test_reminder_unreported_by_its_date_is_fact_3_3(crew: Crew) -> None:
    cast = crew.cast
    with time_machine.travel("2026-06-01 10:00 +0800", tick=False):
        p = matter(cast)
        reminder = services.send_reminder(
            actor=crew.supervisor,
            petition=p,
            supervising_unit=cast.county,
            note="请报送进展",
            reply_due=date(2026, 6, 5),
        )
    rows = supervision_fact_rows(
        cast.unit_a, date(2026, 6, 1), date(2026, 6, 30), today=date(2026, 6, 8)
    )
    assert [r.key for r in rows] == ["supervision.reminder.unreported"]
    services.reply_reminder(reminder, actor=crew.handler_a, reply="已调查", today=date(2026, 6, 5))
    assert Reminder.objects.get(pk=reminder.pk).status == "replied"
    assert (
        supervision_fact_rows(
            cast.unit_a, date(2026, 6, 1), date(2026, 6, 30), today=date(2026, 6, 8)
        )
        == []
    )


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_instruction_is_tracked_to_completion(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast)
    instruction = services.record_instruction(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        leader_name="县长",
        text="请妥善处理",
        due=date(2026, 6, 10),
    )
    assert instruction.responsible_unit == cast.unit_a  # defaults to the matter's unit
    assert list(Instruction.objects.overdue(date(2026, 6, 11))) == [instruction]
    with pytest.raises(SupervisionInvalid, match="落实情况"):
        services.report_instruction(instruction, actor=crew.handler_a, note=" ")
    with pytest.raises(TransitionNotAllowed):
        services.report_instruction(instruction, actor=crew.handler_b, note="已处理")
    services.report_instruction(instruction, actor=crew.handler_a, note="已入户核实并答复")
    instruction.refresh_from_db()
    assert instruction.status == "open" and instruction.reported_by == crew.handler_a
    services.complete_instruction(instruction, actor=crew.supervisor, note="核实无误")
    instruction.refresh_from_db()
    assert instruction.status == "completed" and instruction.completed_on == date(2026, 6, 1)
    assert not Instruction.objects.overdue(date(2026, 6, 11)).exists()
    with pytest.raises(SupervisionInvalid, match="不能早于"):
        services.record_instruction(
            actor=crew.supervisor,
            petition=p,
            supervising_unit=cast.county,
            leader_name="县长",
            text="请处理",
            due=date(2026, 5, 1),
        )


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_case_ownership_one_active_leader(crew: Crew) -> None:
    p = matter(crew.cast)
    with pytest.raises(SupervisionInvalid, match="不能包案"):
        services.assign_case_owner(actor=crew.supervisor, petition=p, leader=crew.handler_a)
    owner = services.assign_case_owner(actor=crew.supervisor, petition=p, leader=crew.county_leader)
    assert owner.supervising_unit == crew.cast.county
    with pytest.raises(SupervisionInvalid, match="已有包案领导"):
        services.assign_case_owner(actor=crew.county_leader, petition=p, leader=crew.county_leader)
    services.release_case_owner(owner, actor=crew.county_leader, note="已化解")
    services.assign_case_owner(actor=crew.county_leader, petition=p, leader=crew.county_leader)


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_accused_unit_cannot_supervise_or_carry_out_an_accusation(crew: Crew) -> None:
    from xinfang.org.choices import Role
    from xinfang.petitions.workflow import transition

    cast = crew.cast
    p = matter(cast, unit=cast.county, kind="accusation", accused_unit=cast.unit_a)
    transition(
        p, "routed", actor=cast.user_with(Role.REGISTRAR, cast.county), to_unit=crew.discipline
    )
    town_supervisor = cast.user_with(Role.SUPERVISOR, cast.unit_a, "town-supervisor")
    with pytest.raises(TransitionNotAllowed):  # the accused does not even see the matter
        services.issue_notice(
            actor=town_supervisor,
            petition=p,
            supervising_unit=cast.unit_a,
            reasons="x",
            recommendation="y",
        )
    with pytest.raises(SupervisionInvalid, match="第三十条"):
        services.record_instruction(
            actor=crew.supervisor,
            petition=p,
            supervising_unit=cast.county,
            leader_name="县长",
            text="请处理",
            due=date(2026, 6, 10),
            responsible_unit=cast.village_a,
        )


@time_machine.travel("2026-06-01 10:00 +0800", tick=False)
def test_the_accused_persons_unit_cannot_supervise_or_carry_out_an_accusation(crew: Crew) -> None:
    # Art. 30: the material reaches neither the accused person nor the unit they work in.
    from xinfang.org.choices import Role
    from xinfang.petitions.workflow import transition

    cast = crew.cast
    accused_person = cast.user_with(Role.HANDLER, cast.unit_b, "accused-clerk")
    p = matter(
        cast,
        unit=cast.county,
        kind="accusation",
        accused_person="乙镇某干部",
        accused_user=accused_person,
    )
    transition(
        p, "routed", actor=cast.user_with(Role.REGISTRAR, cast.county), to_unit=crew.discipline
    )
    with pytest.raises(SupervisionInvalid, match="被检举控告人所在单位"):
        services.record_instruction(
            actor=crew.supervisor,
            petition=p,
            supervising_unit=cast.county,
            leader_name="县长",
            text="请处理",
            due=date(2026, 6, 10),
            responsible_unit=cast.unit_b,
        )
    services.record_instruction(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        leader_name="县长",
        text="请处理",
        due=date(2026, 6, 10),
        responsible_unit=cast.unit_a,
    )
