"""The audit chain: intact chains verify; changed, deleted, inserted, reordered entries do not."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection

from xinfang.core import audit
from xinfang.core.audit import compute_hash, verify_chain
from xinfang.core.models import AuditAction, AuditEntry, AuditHead
from xinfang.shell.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("owner_disabled_the_trigger")]


@pytest.fixture
def chain(cast: Cast) -> list[AuditEntry]:
    actor = cast.user_with("handler", cast.unit_a)
    return [
        audit.record(
            actor=actor,
            action=AuditAction.CHANGE,
            obj=cast.unit_a,
            before={"name": f"旧{i}"},
            after={"name": f"新{i}", "n": i, "nested": {"b": 1, "a": [1, 2]}},
            ip="10.0.0.1",
        )
        for i in range(1, 6)
    ]


def _verify_audit_exit_code(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        call_command("verify_audit")
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().out


def _table() -> str:
    # The tests tamper with the table directly, as an intruder with database access would.
    return connection.ops.quote_name(AuditEntry._meta.db_table)


def test_intact_chain_verifies(chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_chain() == []
    code, out = _verify_audit_exit_code(capsys)
    assert code == 0
    assert "审计链完整：5 条记录" in out


def test_entries_link_to_their_predecessor(chain: list[AuditEntry]) -> None:
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == audit.GENESIS
    for prev, entry in pairwise(chain):
        assert entry.prev_hash == prev.entry_hash
    head = AuditHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (5, chain[-1].entry_hash)


def test_entry_cannot_be_changed_or_deleted_through_the_model(chain: list[AuditEntry]) -> None:
    entry = AuditEntry.objects.get(seq=2)
    entry.object_repr = "改"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_changed_entry_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    AuditEntry.objects.filter(seq=3).update(after={"name": "篡改"})
    breaks = verify_chain()
    assert [(b.seq, "内容哈希不符" in b.reason) for b in breaks] == [(3, True)]
    code, err = _verify_audit_exit_code(capsys)
    assert code == 1
    assert "#3" in err


def test_changed_actor_label_via_raw_sql_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET actor_label = %s WHERE seq = %s", ["别人", 2])  # noqa: S608 - table name from _meta
    assert [b.seq for b in verify_chain()] == [2]
    assert _verify_audit_exit_code(capsys)[0] == 1


def test_deleted_entry_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE seq = %s", [3])  # noqa: S608 - table name from _meta
    breaks = verify_chain()
    assert breaks and breaks[0].seq == 4
    assert any("序号不连续" in b.reason for b in breaks)
    code, err = _verify_audit_exit_code(capsys)
    assert code == 1
    assert "审计链断裂" in err


def test_deleted_last_entry_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE seq = %s", [5])  # noqa: S608 - table name from _meta
    assert any("链尾" in b.reason for b in verify_chain())
    assert _verify_audit_exit_code(capsys)[0] == 1


def test_inserted_entry_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    # Make room after #2 and insert a well-formed entry whose hash is correct for itself.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET seq = seq + 1000 WHERE seq >= 3")  # noqa: S608 - table name from _meta
        cursor.execute(f"UPDATE {_table()} SET seq = seq - 999 WHERE seq >= 1000")  # noqa: S608 - table name from _meta
    forged = AuditEntry(
        seq=3,
        created_at=chain[1].created_at,
        actor_label="伪造",
        action=AuditAction.EXPORT,
        object_type="org.unit",
        object_id="1",
        prev_hash=chain[1].entry_hash,
        key_id=audit.signing_key_id(),
    )
    forged.entry_hash = compute_hash(forged, forged.prev_hash)
    forged.save()
    breaks = verify_chain()
    assert [b.seq for b in breaks][:1] == [4]
    assert any("前序哈希不符" in b.reason for b in breaks)
    assert _verify_audit_exit_code(capsys)[0] == 1


def test_appended_entry_without_head_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    forged = AuditEntry(
        seq=6,
        created_at=chain[-1].created_at,
        action=AuditAction.LOGIN,
        prev_hash=chain[-1].entry_hash,
        key_id=audit.signing_key_id(),
    )
    forged.entry_hash = compute_hash(forged, forged.prev_hash)
    forged.save()
    assert any("链尾" in b.reason for b in verify_chain())
    assert _verify_audit_exit_code(capsys)[0] == 1


def test_reordered_entries_are_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    AuditEntry.objects.filter(seq=2).update(seq=-2)
    AuditEntry.objects.filter(seq=3).update(seq=2)
    AuditEntry.objects.filter(seq=-2).update(seq=3)
    breaks = verify_chain()
    assert {b.seq for b in breaks} >= {2, 3}
    assert all("前序哈希不符" in b.reason or "内容哈希不符" in b.reason for b in breaks)
    assert _verify_audit_exit_code(capsys)[0] == 1


def test_record_keeps_who_what_when_and_where(cast: Cast) -> None:
    actor = cast.user_with("administrator", cast.county)
    entry = audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=cast.unit_a,
        before={"name": "甲"},
        after={"name": "甲镇"},
        ip="192.0.2.7",
    )
    assert entry.actor == actor
    assert entry.actor_label == actor.username
    assert (entry.object_type, entry.object_id) == ("org.unit", str(cast.unit_a.pk))
    assert entry.object_repr == "甲镇"
    assert entry.created_at.microsecond == 0
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert compute_hash(stored, stored.prev_hash) == stored.entry_hash
    assert stored.ip == "192.0.2.7"


def test_snapshot_redacts_sealed_columns(cast: Cast) -> None:
    user = cast.no_grant
    user.phone = "13912345678"
    data = audit.snapshot(user)
    assert data["phone_token"] == "***"
    assert data["phone_digest"] == "***"
    assert data["phone_masked"] == "139****5678"
    assert data["password"] == "***"
