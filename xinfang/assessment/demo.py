"""Demo: a model-2022 scheme of the county, last month's period published and this month's
open, with facts from the demo records, one self-declared fact and one appeal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from xinfang.core.workflow import SYSTEM


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    nxt = (start + timedelta(days=32)).replace(day=1)
    return start, nxt - timedelta(days=1)


def add_demo_assessment(demo: Any) -> None:
    from xinfang.assessment import services

    today = timezone.localdate()
    county = demo.units["county"]
    assessor = demo.users["assessor"]
    leader = demo.users["leader_town"]
    town = demo.units["城关镇"]
    scheme = services.create_scheme(
        actor=SYSTEM,
        name="平安县信访工作规范化考评（月度）",
        assessing_unit=county,
        rulebook_text=services.shipped_text(services.DEFAULT_RULEBOOK),
        min_matters=1,
    )
    last_start, last_end = _month(today.replace(day=1) - timedelta(days=1))
    last = services.open_period(
        actor=SYSTEM,
        scheme=scheme,
        title=f"{last_start:%Y年%m月}考评",
        start=last_start,
        end=last_end,
    )
    services.take_step(last, "collect", actor=SYSTEM)
    services.take_step(last, "open_declaration", actor=SYSTEM)
    declared = services.declare_fact(
        actor=leader,
        period=last,
        unit=town,
        item="3.1",
        day=last_end,
        note="本镇自查：一件联名信访事项办结后未按规定回访",
    )
    services.take_step(last, "start_review", actor=SYSTEM)
    services.take_step(declared, "accept", actor=assessor, reason="经核查属实，予以认定")
    entered = services.enter_fact(
        actor=assessor,
        period=last,
        unit=town,
        item="2.4",
        day=last_end,
        note="市信访局通报：一件处理意见书未载明复查途径和期限",
        evidence="示范市信访局通报第3号",
    )
    services.take_step(last, "open_appeals", actor=SYSTEM)
    appeal = services.file_appeal(
        actor=leader, fact=entered, reason="该处理意见书已于次日补正并重新送达，附送达回证"
    )
    services.take_step(
        appeal, "dismiss", actor=assessor, reason="补正在通报之后，不影响已发生的扣分事实"
    )
    services.take_step(last, "close", actor=SYSTEM, reason="演示数据：各单位均已确认")
    services.take_step(last, "publish", actor=SYSTEM)

    start, end = _month(today)
    current = services.open_period(
        actor=SYSTEM, scheme=scheme, title=f"{start:%Y年%m月}考评", start=start, end=end
    )
    services.take_step(current, "collect", actor=SYSTEM)
