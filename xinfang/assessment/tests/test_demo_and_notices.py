"""The demo county's assessment, and the reminders of phase deadlines."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from xinfang.assessment import services
from xinfang.assessment.choices import FactOrigin, PeriodStatus
from xinfang.assessment.jobs import run_assessment_tick
from xinfang.assessment.models import Appeal, Fact, Period, Result
from xinfang.assessment.tests.platform import period
from xinfang.core.models import Message
from xinfang.core.workflow import SYSTEM
from xinfang.org.demo import build_demo_county
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def test_the_demo_has_last_months_period_published_and_this_months_open() -> None:
    build_demo_county()
    last, current = Period.objects.order_by("start")
    assert (last.start, last.status) == (date(2026, 8, 1), PeriodStatus.PUBLISHED)
    assert (current.start, current.status) == (date(2026, 9, 1), PeriodStatus.COLLECTING)
    assert last.rulebook == "model-2022"
    assert Fact.objects.filter(period=last, origin=FactOrigin.DECLARED).count() == 1
    assert Appeal.objects.filter(period=last).count() == 1
    assert Result.objects.filter(period=last).count() == last.subjects.count() > 0


def test_units_are_reminded_once_two_days_before_the_appeal_deadline(cast: Cast) -> None:
    p = period(cast, status="appeals")  # appeals opened 1 September, due 8 September
    assert p.appeal_due == date(2026, 9, 8)
    assert run_assessment_tick(date(2026, 9, 5))["reminded"] == 0
    with time_machine.travel("2026-09-06T01:30:00+08:00", tick=False):
        assert run_assessment_tick(date(2026, 9, 6))["reminded"] == 3
        assert run_assessment_tick(date(2026, 9, 7))["reminded"] == 0  # once per unit
    texts = Message.objects.filter(recipient_unit=cast.unit_a, kind="assessment")
    assert any("申诉将于2026年09月08日截止" in m.text for m in texts)


def test_the_nightly_job_collects_the_derived_facts_again_until_the_appeals(cast: Cast) -> None:
    p = period(cast, status="declaration")
    assert run_assessment_tick(date(2026, 9, 2))["refreshed"] == 1
    p.refresh_from_db()  # the job's step bumped the version
    services.take_step(p, "start_review", actor=SYSTEM)
    services.take_step(p, "open_appeals", actor=SYSTEM)
    assert run_assessment_tick(date(2026, 9, 3))["refreshed"] == 0
