"""factory_boy factories for the ledgers (plain rows; workflows go through services)."""

from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.utils import timezone

from xinfang.ledgers.choices import (
    Cadence,
    DisputeDomain,
    PublishStatus,
    ReportKind,
    RiskLevel,
    RoundKind,
)
from xinfang.ledgers.models import (
    Campaign,
    Dispute,
    DutyRoster,
    DutyShift,
    Meeting,
    MeetingRequirement,
    Reception,
    ReceptionSlot,
    ReportDue,
    ReportObligation,
    ScreeningRound,
)


class ScreeningRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningRound

    kind = RoundKind.REGULAR
    title = factory.Sequence(lambda n: f"测试排查第{n}轮")
    period_start = date(2026, 3, 1)
    period_end = date(2026, 3, 31)
    due_date = date(2026, 3, 31)


class DisputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dispute

    number = factory.Sequence(lambda n: f"MD2026-T{n:05d}")
    domain = DisputeDomain.LAND_REQUISITION
    place = "甲村"
    subject = factory.Sequence(lambda n: f"甲村道路征地补偿争议{n}号")
    parties = "甲村村民若干户；某建设公司"
    risk_level = RiskLevel.MEDIUM
    found_on = date(2026, 3, 2)
    responsible_person = "王责任"
    lead_leader = "李领导"
    resolution_plan = "座谈协商"
    deadline = date(2026, 4, 30)


class DutyRosterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyRoster

    title = factory.Sequence(lambda n: f"国庆值班表{n}")
    starts_on = date(2026, 10, 1)
    ends_on = date(2026, 10, 7)
    duty_phone = "0571-88880001"


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift

    roster = factory.SubFactory(DutyRosterFactory)
    day = date(2026, 10, 1)
    officer_name = "值班甲"
    office_phone = "0571-88880001"


class ReportObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportObligation

    title = factory.Sequence(lambda n: f"信访稳定日报{n}")
    cadence = Cadence.DAILY
    due_time = time(16, 0)
    zero_reporting = True
    valid_from = date(2026, 10, 1)
    valid_to = date(2026, 10, 7)


class ReportDueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportDue

    kind = ReportKind.PERIODIC
    title = factory.Sequence(lambda n: f"日报告测试{n}")
    zero_reporting = True
    period_start = date(2026, 10, 1)
    period_end = date(2026, 10, 1)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=5))
    remind_at = factory.LazyAttribute(lambda o: o.due_at - timedelta(hours=2))
    missing_at = factory.LazyAttribute(lambda o: o.due_at + timedelta(hours=24))


class ReceptionSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReceptionSlot

    leader_name = factory.Sequence(lambda n: f"接访领导{n}")
    leader_title = "副县长"
    day = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3))
    starts_at = time(8, 30)
    ends_at = time(11, 30)
    place = "来访接待中心一楼"
    topic = "征地拆迁"
    status = PublishStatus.PUBLISHED


class ReceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reception

    leader_name = "接访领导"
    received_on = factory.LazyFunction(timezone.localdate)
    visitor_count = 2
    visitors = "甲村村民2人"
    matters_raised = factory.Sequence(lambda n: f"反映灌溉水渠堵塞问题{n}")
    instructions = "请水利站三日内处理"


class MeetingRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingRequirement

    title = factory.Sequence(lambda n: f"信访稳定周例会{n}")
    cadence = Cadence.WEEKLY
    valid_from = date(2026, 9, 28)
    valid_to = date(2026, 10, 25)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"周例会记录{n}")
    held_on = date(2026, 9, 29)
    attendees = "全体"
    minutes = "研究部署信访稳定工作"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"百日集中攻坚行动{n}")
    starts_on = date(2026, 2, 20)
    ends_on = date(2026, 5, 30)
    targets = "矛盾纠纷排查全覆盖\n积案全部化解"
    rulebook = "junan-2019"
