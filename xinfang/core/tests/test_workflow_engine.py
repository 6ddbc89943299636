"""The core workflow engine: table, grant by action name, input, CAS, timeline, SYSTEM.

The engine has no model of its own; the ledgers' disputes and reports are its subjects.
"""

from __future__ import annotations

import ast
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.core import workflow as engine
from xinfang.core.errors import ConcurrentChange, NotFoundOrForbidden, TransitionNotAllowed
from xinfang.core.models import AuditEntry
from xinfang.core.workflow import SYSTEM
from xinfang.ledgers import services
from xinfang.ledgers.choices import Cadence, DisputeStatus, ReportStatus
from xinfang.ledgers.models import Dispute, LedgerTransition
from xinfang.ledgers.tests.factories import DisputeFactory
from xinfang.org.choices import Role

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_a_step_from_a_status_it_does_not_leave_is_refused(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a)
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        engine.transition(dispute, "verify", actor=handler)
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.REGISTERED


def test_the_grant_is_checked_by_action_name_on_the_objects_unit(cast):
    elsewhere = cast.user_with(Role.HANDLER, cast.unit_b)
    dispute = DisputeFactory(unit=cast.unit_a)
    with pytest.raises(NotFoundOrForbidden):
        engine.transition(dispute, "start", actor=elsewhere)
    assert engine.allowed_steps(dispute, elsewhere) == []


def test_none_is_no_actor_and_the_system_takes_no_staff_step(cast):
    dispute = DisputeFactory(unit=cast.unit_a)
    for nobody in (None, SYSTEM):
        with pytest.raises(NotFoundOrForbidden):
            engine.transition(dispute, "start", actor=nobody)


def test_a_stale_copy_loses_on_version_even_when_the_status_matches(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a)
    engine.transition(dispute, "start", actor=handler)
    stale = Dispute.objects.get(pk=dispute.pk)  # in progress, version 1
    engine.transition(dispute, "resolve", actor=handler, reason="协商一致")
    engine.transition(dispute, "reject", actor=leader, reason="群众不认可")  # in progress again
    assert stale.status == dispute.status and stale.version < dispute.version
    with pytest.raises(ConcurrentChange):
        engine.transition(stale, "resolve", actor=handler, reason="再次协商")
    assert Dispute.objects.get(pk=dispute.pk).version == 3


def test_an_unknown_input_key_is_refused(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a)
    with pytest.raises(engine.StepInputInvalid):
        engine.transition(dispute, "start", actor=handler, data={"status": "closed"})


def test_every_step_writes_a_timeline_row_and_an_audit_entry(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    dispute = DisputeFactory(unit=cast.unit_a)
    engine.transition(dispute, "resolve", actor=handler, reason="签订协议")
    row = dispute.transitions.get()
    assert (row.step, row.from_status, row.to_status, row.actor, row.reason) == (
        "resolve",
        DisputeStatus.REGISTERED,
        DisputeStatus.RESOLVED,
        handler,
        "签订协议",
    )
    entry = AuditEntry.objects.filter(object_type="ledgers.dispute").latest("seq")
    assert entry.detail["step"] == "resolve" and entry.after == {"status": "resolved"}


def test_the_missing_report_job_acts_as_the_system_recorded_as_系统(cast):
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    services.create_obligation(
        actor=leader,
        unit=cast.unit_a,
        title="国庆信访稳定日报告",
        cadence=Cadence.DAILY,
        due_time=time(16, 0),
        zero_reporting=True,
        valid_from=date(2026, 10, 1),
        valid_to=date(2026, 10, 1),
    )
    with time_machine.travel(datetime(2026, 10, 3, 9, 0, tzinfo=TZ)):
        assert services.mark_missing(datetime.now(tz=TZ)) == 1
        assert services.mark_missing(datetime.now(tz=TZ)) == 0  # idempotent
    row = LedgerTransition.objects.get(record_type="reportdue")
    assert (row.step, row.to_status, row.actor, row.actor_label) == (
        "mark_missing",
        ReportStatus.MISSING,
        None,
        "系统",
    )
    entry = AuditEntry.objects.filter(object_type="ledgers.reportdue").latest("seq")
    assert entry.actor is None and entry.actor_label == "系统"


def test_a_registered_model_cannot_get_a_second_workflow() -> None:
    flow = engine.workflow_of(Dispute)
    with pytest.raises(RuntimeError):
        engine.register(engine.Workflow(model=Dispute, steps=flow.steps, log=None))


def test_the_engine_imports_no_other_app() -> None:
    tree = ast.parse(Path(engine.__file__).read_text("utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    foreign = sorted(
        m for m in imported if m.startswith("xinfang.") and not m.startswith("xinfang.core")
    )
    assert foreign == []
