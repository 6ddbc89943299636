"""Demo ledgers for the demo county (registered in ``org.demo.DEMO_HOOKS``).

A screening schedule with filed and overdue rounds, disputes in every state, a published
duty roster, a daily zero-report obligation with one late and one missing report, a
published reception schedule with a record, a weekly meeting rule, and the 100-day
campaign of seed 002. Dates are relative to today so the dashboard has something due.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from xinfang.core.calendar import legal_calendar
from xinfang.core.workflow import SYSTEM
from xinfang.ledgers import services
from xinfang.ledgers.choices import Cadence, DisputeDomain, RoundKind
from xinfang.ledgers.models import ReportDue, ScreeningRound
from xinfang.ledgers.workflow import transition


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def add_demo_ledgers(demo: Any) -> None:
    today = timezone.localdate()
    cal = legal_calendar()
    last_covered = date(max(cal.covered_years), 12, 31)
    end = min(today + timedelta(days=30), last_covered)
    town = demo.units["城关镇"]
    county = demo.units["county"]
    handler, leader = demo.users["handler_town"], demo.users["leader_town"]

    # Screening: half-monthly rounds for the township; one past round left unfiled.
    services.create_screening_rule(
        actor=None,
        unit=town,
        kind=RoundKind.REGULAR,
        cadence=Cadence.HALF_MONTHLY,
        starts_on=today - timedelta(days=60),
        ends_on=end,
    )
    services.create_screening_rule(
        actor=None, unit=town, kind=RoundKind.HOLIDAY, starts_on=today, ends_on=last_covered
    )
    past = list(ScreeningRound.objects.filter(unit=town, due_date__lt=today).order_by("due_date"))
    for rnd in past[:-1]:
        services.file_round(
            actor=handler,
            round=rnd,
            held_on=min(rnd.period_end, today),
            participants="镇综治信访办全体人员、各村调解主任",
            summary="走访各村（社区），排查出矛盾纠纷若干，已登记建档并落实责任人。",
        )
        # Demo history: the round was filed on its due day, not today.
        ScreeningRound.objects.filter(pk=rnd.pk).update(
            filed_at=_at(rnd.due_date, 17), held_on=min(rnd.period_end, rnd.due_date)
        )
    rnd = past[0] if past else None

    def dispute(subject: str, domain: str, risk: str, days_ago: int, deadline_in: int) -> Any:
        return services.register_dispute(
            actor=handler,
            unit=town,
            round=rnd,
            domain=domain,
            place="城关镇南门村",
            subject=subject,
            parties="南门村村民若干户；县城建开发公司",
            risk_level=risk,
            found_on=today - timedelta(days=days_ago),
            responsible_person="钱办事",
            lead_leader="孙海涛",
            resolution_plan="召集双方座谈，依政策核算补偿，限期兑现。",
            deadline=today + timedelta(days=deadline_in),
        )

    dispute("南门村道路拓宽征地补偿标准争议", DisputeDomain.LAND_REQUISITION, "medium", 40, 20)
    d2 = dispute("某建筑工地拖欠农民工工资", DisputeDomain.WAGE_ARREARS, "high", 35, -5)
    transition(d2, "start", actor=handler)
    d3 = dispute("两村山林界址争议", DisputeDomain.FOREST_RIGHTS, "low", 30, 10)
    transition(d3, "resolve", actor=handler, reason="经调解双方签订界址确认书")
    d4 = dispute("老旧小区物业费纠纷", DisputeDomain.PROPERTY, "low", 25, 5)
    transition(d4, "resolve", actor=handler, reason="业委会与物业达成协议")
    transition(d4, "verify", actor=leader, reason="回访双方，协议已履行")

    # Duty: a published roster with an office phone.
    roster = services.create_roster(
        actor=None,
        unit=town,
        title=f"城关镇{today:%Y年}节假日值班表",
        starts_on=today,
        ends_on=min(today + timedelta(days=6), last_covered),
        duty_phone="0571-88880001",
    )
    for i, name in enumerate(["冯值班", "钱办事", "孙海涛"]):
        services.add_shift(
            actor=None,
            roster=roster,
            day=roster.starts_on + timedelta(days=i),
            officer_name=name,
            leader_name="孙海涛",
            office_phone="0571-88880001",
        )
    services.publish_roster(actor=SYSTEM, roster=roster)

    # Daily zero reports over the last five days: all filed but one late and one missing.
    ob = services.create_obligation(
        actor=None,
        unit=town,
        title="信访稳定日报告",
        cadence=Cadence.DAILY,
        due_time=time(16, 0),
        zero_reporting=True,
        valid_from=today - timedelta(days=5),
        valid_to=min(today + timedelta(days=5), last_covered),
    )
    duty = demo.users["duty"]
    past_dues = list(ob.dues.filter(due_at__lt=timezone.now()).order_by("due_at"))
    for i, due in enumerate(past_dues):
        if i == 1:
            continue  # left missing
        filed_at = due.due_at + (timedelta(hours=3) if i == 2 else -timedelta(hours=1))
        services.file_report(actor=duty, due=due, is_zero=True, content="本日无情况（零报告）")
        # The demo's past: the filing time as it would have been (not a status write).
        ReportDue.objects.filter(pk=due.pk).update(filed_at=filed_at)
    services.mark_missing(timezone.now())

    # Leaders' reception: a published rotating schedule for the county.
    reception_leader = demo.users["reception"]
    slots = []
    for i in range(4):
        day = today + timedelta(days=7 * i - 7)
        slots.append(
            services.schedule_reception(
                actor=None,
                unit=county,
                leader=reception_leader,
                leader_name="郑国强",
                leader_title="副县长",
                day=day,
                starts_at=time(8, 30),
                ends_at=time(11, 30),
                place="平安县人民来访接待中心一楼接待室",
                topic="征地拆迁、劳动保障方面的诉求",
            )
        )
    services.publish_reception_schedule(actor=SYSTEM, unit=county, slots=slots)
    services.record_reception(
        actor=None,
        unit=county,
        slot=slots[0],
        leader_name="郑国强",
        received_on=slots[0].day,
        visitor_count=3,
        visitors="南门村村民3人",
        matters_raised="反映道路拓宽征地补偿标准偏低。",
        instructions="请城关镇会同自然资源局一周内核实并答复。",
    )

    # Meetings: a weekly meeting rule for the township, one meeting held.
    services.create_meeting_requirement(
        actor=None,
        unit=town,
        title="信访稳定工作周例会",
        cadence=Cadence.WEEKLY,
        valid_from=today - timedelta(days=today.weekday() + 21),
        valid_to=end,
    )
    services.record_meeting(
        actor=None,
        unit=town,
        title="信访稳定工作周例会",
        held_on=today - timedelta(days=today.weekday() + 7),
        chair="孙海涛",
        attendees="孙海涛、钱办事、冯值班、各村调解主任",
        minutes="通报本周矛盾纠纷排查情况；部署节前排查和值班工作。",
    )

    # The 100-day campaign of seed 002 (dates moved to the current year).
    c_start = today - timedelta(days=20)
    c_end = min(c_start + timedelta(days=99), last_covered)
    mid = c_start + timedelta(days=6)
    campaign = services.create_campaign(
        actor=None,
        unit=county,
        name="信访维稳“百日集中攻坚行动”",
        starts_on=c_start,
        ends_on=c_end,
        leading_group="组长：县长；副组长：分管副县长；成员：各乡镇、各部门主要负责人",
        office="领导小组办公室设在县信访局，负责行动的组织实施及工作推进、调度",
        targets="矛盾纠纷排查全覆盖、无死角\n现有信访积案全部化解\n落实首问责任制，让群众信访只访一次",
        rulebook="junan-2019",
        participants=[demo.units[name] for name in ("城关镇", "东河乡", "西山街道")],
        phases=[
            ("动员部署", c_start, c_start + timedelta(days=5)),
            ("集中攻坚", mid, max(mid, c_end - timedelta(days=10))),
            ("总结考核", max(mid, c_end - timedelta(days=9)), c_end),
        ],
    )
    services.add_campaign_submission(
        actor=None,
        campaign=campaign,
        title="矛盾纠纷排查化解登记表和信访积案化解情况",
        cadence=Cadence.WEEKLY,
        due_weekday=4,
        due_time=time(17, 30),
    )
    services.add_campaign_submission(
        actor=None,
        campaign=campaign,
        title="动员部署情况、实施方案和领导小组成员名单",
        cadence=Cadence.ONCE,
        due_time=time(17, 30),
        once_due_date=c_start + timedelta(days=7),
    )
