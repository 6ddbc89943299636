"""Screening rounds, close-out verification, statistics, agreements and 倒查."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.ledgers import services
from xinfang.ledgers.choices import DisputeStatus, RoundKind
from xinfang.ledgers.errors import VerifierConflict
from xinfang.ledgers.facts import derive_facts
from xinfang.ledgers.models import Dispute, ScreeningRound
from xinfang.ledgers.tests.factories import DisputeFactory
from xinfang.ledgers.workflow import allowed_steps, transition
from xinfang.org.choices import Role

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_township_regular_rule_generates_half_monthly_rounds_with_legal_due_dates(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    rule = services.create_screening_rule(
        actor=leader,
        unit=cast.unit_a,
        kind=RoundKind.REGULAR,
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 2, 28),
    )
    rounds = list(rule.rounds.order_by("period_start"))
    assert [(r.period_start.day, r.due_date) for r in rounds] == [
        (1, date(2026, 2, 24)),
        (16, date(2026, 2, 28)),
    ]
    assert services.schedule_rounds(actor=leader, rule=rule) == []  # idempotent


def test_holiday_rule_generates_rounds_before_each_holiday(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    services.create_sensitive_period(
        actor=cast.user_with(Role.UNIT_LEADER, cast.county),
        unit=cast.county,
        name="省“两会”",
        starts_on=date(2026, 1, 20),
        ends_on=date(2026, 1, 25),
    )
    rule = services.create_screening_rule(
        actor=leader,
        unit=cast.unit_a,
        kind=RoundKind.HOLIDAY,
        starts_on=date(2026, 1, 10),
        ends_on=date(2026, 10, 31),
    )
    due = {r.title: r.due_date for r in rule.rounds.all()}
    assert due["春节前矛盾纠纷排查"] == date(2026, 2, 14)
    assert due["劳动节前矛盾纠纷排查"] == date(2026, 4, 30)
    assert due["国庆节前矛盾纠纷排查"] == date(2026, 9, 30)
    assert due["省“两会”前矛盾纠纷排查"] == date(2026, 1, 19)


def test_unit_that_did_not_file_a_round_is_listed_and_counted(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    with time_machine.travel(datetime(2026, 4, 1, 9, 0, tzinfo=TZ)):
        services.create_screening_rule(
            actor=leader,
            unit=cast.unit_a,
            kind=RoundKind.REGULAR,
            starts_on=date(2026, 4, 1),
            ends_on=date(2026, 5, 15),
        )
    first, second, third = ScreeningRound.objects.order_by("period_start")
    with time_machine.travel(datetime(2026, 4, 15, 9, 0, tzinfo=TZ)):
        services.file_round(
            actor=handler,
            round=first,
            held_on=date(2026, 4, 14),
            participants="全体",
            summary="未排查出矛盾纠纷",
        )
    with time_machine.travel(datetime(2026, 5, 6, 9, 0, tzinfo=TZ)):  # after Labour Day
        services.file_round(
            actor=handler,
            round=second,
            held_on=date(2026, 5, 6),
            participants="全体",
            summary="补排查",
        )
    with time_machine.travel(datetime(2026, 5, 20, 9, 0, tzinfo=TZ)):
        overdue = list(ScreeningRound.objects.restrict(leader).overdue(date(2026, 5, 20)))
        facts = derive_facts(date(2026, 4, 1), date(2026, 5, 31))
    assert overdue == [third]
    assert [(f.key, f.date) for f in facts] == [
        ("ledgers.screening.late", date(2026, 4, 30)),
        ("ledgers.screening.missing", date(2026, 5, 15)),
    ]


def test_close_out_needs_a_second_person(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a)
    transition(dispute, "start", actor=handler)
    transition(dispute, "resolve", actor=handler, reason="签订调解协议")
    assert [s.name for s in allowed_steps(dispute, handler)] == []
    with pytest.raises(VerifierConflict):
        transition(dispute, "verify", actor=handler)
    transition(dispute, "verify", actor=leader, reason="回访核实")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.CLOSED
    assert dispute.verified_by == leader and dispute.resolved_by == handler
    assert dispute.transitions.count() == 3


def test_rejected_verification_returns_to_in_progress_and_needs_a_reason(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    supervisor = cast.user_with(Role.SUPERVISOR, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a)
    transition(dispute, "resolve", actor=handler, reason="已协商")
    with pytest.raises(TransitionNotAllowed, match="说明"):
        transition(dispute, "reject", actor=supervisor)
    transition(dispute, "reject", actor=supervisor, reason="回访群众不认可")
    assert dispute.status == DisputeStatus.IN_PROGRESS


def test_resolve_requires_a_note_and_a_stale_status_loses_the_race(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a)
    with pytest.raises(TransitionNotAllowed):
        transition(dispute, "resolve", actor=handler, reason="")
    stale = Dispute.objects.get(pk=dispute.pk)
    transition(dispute, "start", actor=handler)
    with pytest.raises(ConcurrentChange):
        transition(stale, "start", actor=handler)


def test_statistics_count_found_resolved_rate_and_overdue(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    for i in range(5):
        d = DisputeFactory(
            unit=cast.unit_a, found_on=date(2026, 3, 1 + i), deadline=date(2026, 3, 20)
        )
        if i < 4:
            transition(d, "resolve", actor=handler, reason="化解")
            transition(d, "verify", actor=leader)
    DisputeFactory(unit=cast.unit_b, found_on=date(2026, 3, 2), deadline=date(2026, 3, 5))
    rows = services.dispute_stats(
        Dispute.objects.restrict(leader), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1)
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.found, row.resolved, row.overdue, row.rate) == (5, 4, 1, 80.0)
    assert row.meets_target is True


def test_agreement_on_a_petition_lands_in_the_ledger_awaiting_verification(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    d = services.record_agreement(
        actor=handler,
        unit=cast.unit_a,
        petition_ref="XF2026-000123",
        subject="宅基地边界纠纷",
        parties="甲村两户村民",
        agreement_text="以原界桩为界",
        agreed_on=date(2026, 6, 1),
    )
    assert d.status == DisputeStatus.RESOLVED and d.source == "agreement"
    assert d.petition_ref == "XF2026-000123"


def test_lookback_finds_a_dispute_screened_before_the_escalation(cast):
    DisputeFactory(
        unit=cast.village_a, subject="甲村道路拓宽征地补偿标准争议", found_on=date(2026, 3, 2)
    )
    hit = services.was_found_in_screening(
        cast.unit_a, "反映道路拓宽征地补偿标准偏低", date(2026, 4, 1)
    )
    assert hit.found and hit.matches[0].dispute.subject.startswith("甲村道路")
    too_early = services.was_found_in_screening(cast.unit_a, "道路拓宽征地补偿", date(2026, 3, 1))
    assert not too_early.found
    other = services.was_found_in_screening(cast.unit_b, "道路拓宽征地补偿", date(2026, 4, 1))
    assert not other.found


def test_campaign_gives_participants_weekly_rounds_and_friday_submissions(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.county)
    campaign = services.create_campaign(
        actor=leader,
        unit=cast.county,
        name="百日集中攻坚行动",
        starts_on=date(2026, 2, 20),
        ends_on=date(2026, 5, 30),
        targets="矛盾纠纷排查全覆盖",
        rulebook="junan-2019",
        participants=[cast.unit_a, cast.unit_b],
        phases=[("动员部署", date(2026, 2, 20), date(2026, 2, 25))],
    )
    assert ScreeningRound.objects.filter(campaign=campaign, unit=cast.unit_a).count() == 15
    obligations = services.add_campaign_submission(
        actor=leader,
        campaign=campaign,
        title="矛盾纠纷排查化解登记表",
        cadence="weekly",
        due_time=time(17, 30),
    )
    assert len(obligations) == 2
    first = obligations[0].dues.order_by("due_at")[:2]
    # The first week is clipped to Fri 20 Feb (a Spring Festival rest day) → Tue 24 Feb.
    assert [d.due_at.astimezone(TZ).date() for d in first] == [date(2026, 2, 24), date(2026, 2, 27)]
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)):
        items = {
            f.key for f in derive_facts(date(2026, 2, 20), date(2026, 2, 28), unit=cast.unit_a)
        }
    assert "ledgers.submission.missing" in items


def test_the_disputes_own_responsible_person_cannot_verify_it(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    responsible = cast.user_with(Role.UNIT_LEADER, cast.unit_a, "wang-zeren")
    responsible.full_name = "王责任"
    responsible.save()
    dispute = DisputeFactory(unit=cast.unit_a, responsible_person="王责任")
    transition(dispute, "resolve", actor=handler, reason="签订调解协议")
    assert [s.name for s in allowed_steps(dispute, responsible)] == []
    with pytest.raises(VerifierConflict, match="责任人"):
        transition(dispute, "verify", actor=responsible, reason="已核实")
    with pytest.raises(VerifierConflict, match="责任人"):
        transition(dispute, "reject", actor=responsible, reason="不认可")
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.RESOLVED


def test_a_second_person_other_than_resolver_and_responsible_verifies(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    supervisor = cast.user_with(Role.SUPERVISOR, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a, responsible_person="王责任")
    transition(dispute, "resolve", actor=handler, reason="签订调解协议")
    assert "verify" in [s.name for s in allowed_steps(dispute, supervisor)]
    transition(dispute, "verify", actor=supervisor, reason="回访核实")
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.CLOSED
