"""Retention of the audit trail: at least six months, a prefix only, the cut attested."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from xinfang.core import audit
from xinfang.core.audit import verify_chain
from xinfang.core.models import AuditEntry
from xinfang.core.retention import months_before, prune_audit

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def six_months(settings: Any) -> None:
    settings.XINFANG_AUDIT_RETENTION_MONTHS = 6


def entry_at(moment: str, label: str) -> None:
    with time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=TZ), tick=False):
        audit.record(actor=None, action="change", object_type="test.thing", object_id=label)


def test_six_months_before_the_last_day_of_august_is_the_last_day_of_february() -> None:
    moment = datetime(2026, 8, 31, 10, tzinfo=TZ)
    assert months_before(moment, 6) == datetime(2026, 2, 28, 10, tzinfo=TZ)


def test_retention_never_goes_below_six_months(settings: Any) -> None:
    settings.XINFANG_AUDIT_RETENTION_MONTHS = 1
    entry_at("2026-03-02T09:00:00", "young")  # six months minus a day before 09-01
    entry_at("2026-08-31T09:00:00", "newest")
    assert prune_audit().removed == 0
    assert AuditEntry.objects.count() == 2


def test_entries_older_than_the_period_go_and_the_chain_still_verifies(settings: Any) -> None:
    settings.XINFANG_AUDIT_RETENTION_MONTHS = 6
    for month in ("01", "02"):
        entry_at(f"2026-{month}-10T09:00:00", f"old-{month}")
    entry_at("2026-03-02T09:00:00", "young")
    entry_at("2026-08-01T09:00:00", "newer")
    result = prune_audit()
    assert result.removed == 2
    labels = list(AuditEntry.objects.order_by("seq").values_list("object_id", flat=True))
    assert labels[:2] == ["young", "newer"] and labels[-1] == "1-2"
    assert verify_chain() == []


def test_an_old_entry_after_a_younger_one_waits_for_it(settings: Any) -> None:
    # Only a prefix of the chain may go: a clock that stepped back must not punch a hole.
    entry_at("2026-01-10T09:00:00", "old")
    entry_at("2026-05-10T09:00:00", "young")
    entry_at("2026-01-11T09:00:00", "old-but-later")
    assert prune_audit().removed == 1
    assert verify_chain() == []
    assert AuditEntry.objects.filter(object_id="old-but-later").exists()


def test_deleting_old_entries_without_the_job_is_still_a_break() -> None:
    entry_at("2026-01-10T09:00:00", "old")
    entry_at("2026-08-10T09:00:00", "young")
    if connection.vendor == "postgresql":  # past the trigger as the job would go
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL xinfang.audit_retention = 'allow'")
    AuditEntry.objects.filter(object_id="old")._raw_delete("default")
    assert verify_chain() != []


def test_a_dry_run_deletes_nothing(capsys: Any) -> None:
    entry_at("2026-01-10T09:00:00", "old")
    entry_at("2026-08-10T09:00:00", "young")
    call_command("retention", "--dry-run")
    assert "将删除" in capsys.readouterr().out
    assert AuditEntry.objects.count() == 2
