"""The informed tampers of issue 10, finding 3, that passed `verify_audit` before the chain was
keyed and anchored: (a) delete the last entries and move the head back, (b) delete every
entry and reset the head, (c) change an entry and recompute every hash.

Each test first shows the tamper is *informed*: the chain it leaves is consistent in itself
(for (a) and (b)) or under the unkeyed SHA-256 of the releases before (for (c)), which is
all the old verifier checked.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from xinfang.core import audit, audit_v1
from xinfang.core.audit import GENESIS, verify_chain
from xinfang.core.crypto import hmac_sm3
from xinfang.core.models import AuditAction, AuditEntry, AuditHead
from xinfang.shell.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("owner_disabled_the_trigger")]

resign_migration = importlib.import_module("xinfang.core.migrations.0008_audit_key_id_resign")


@pytest.fixture
def chain(cast: Cast) -> list[AuditEntry]:
    actor = cast.user_with("handler", cast.unit_a)
    return [
        audit.record(actor=actor, action=AuditAction.CHANGE, obj=cast.unit_a, after={"n": i})
        for i in range(1, 11)
    ]


def verify_audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        call_command("verify_audit", *args)
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().out


def legacy_breaks() -> list[int]:
    """What the verifier before issue 10 checked: sequence, links and the unkeyed hash."""
    bad, prev, seq = [], GENESIS, 0
    for entry in AuditEntry.objects.order_by("seq"):
        ok = entry.seq == seq + 1 and entry.prev_hash == prev
        if not ok or audit_v1.entry_hash(entry, prev) != entry.entry_hash:
            bad.append(entry.seq)
        prev, seq = entry.entry_hash, entry.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (seq, prev):
        bad.append(seq)
    return bad


def rehash_from(seq: int, sign: Any) -> None:
    """Recompute every hash from ``seq`` on with ``sign`` and move the head: an informed
    intruder's rewrite (rows updated in place, as with SQL)."""
    prev = GENESIS
    for entry in AuditEntry.objects.order_by("seq"):
        if entry.seq >= seq:
            entry_hash = sign(entry, prev)
            AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=prev, entry_hash=entry_hash)
            entry.entry_hash = entry_hash
        prev = entry.entry_hash
    AuditHead.objects.filter(pk=1).update(last_hash=prev)


def truncate_last(n: int) -> None:
    keep = AuditEntry.objects.order_by("-seq")[n]
    AuditEntry.objects.filter(seq__gt=keep.seq).delete()
    AuditHead.objects.filter(pk=1).update(last_seq=keep.seq, last_hash=keep.entry_hash)


def wipe() -> None:
    AuditEntry.objects.all().delete()
    AuditHead.objects.filter(pk=1).update(last_seq=0, last_hash=GENESIS)


def test_truncated_chain_with_moved_head_is_caught_by_the_anchor(
    chain: list[AuditEntry], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = tmp_path / "audit.anchor"
    call_command("audit_anchor", str(anchor))
    truncate_last(5)
    assert verify_chain() == []  # consistent in itself: the old verifier's exit 0
    code, err = verify_audit(capsys, "--anchor", str(anchor))
    assert code == 1
    assert "审计链被截短" in err
    assert "锚定到第 10 条，库中只到第 5 条" in err


def test_emptied_chain_with_reset_head_is_caught_by_the_anchor(
    chain: list[AuditEntry], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = tmp_path / "audit.anchor"
    call_command("audit_anchor", str(anchor))
    wipe()
    assert verify_chain() == []
    with override_settings(XINFANG_AUDIT_ANCHOR_FILE=str(anchor)):
        # The scheduled anchor file is the default: a plain `verify_audit` checks it too.
        code, err = verify_audit(capsys)
    assert code == 1
    assert "审计链被截短" in err and "库中只到第 0 条" in err


def test_changed_entry_with_recomputed_unkeyed_hashes_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    resign_migration.unsign(apps, None)  # the chain as the releases before issue 10 kept it
    AuditEntry.objects.filter(seq=4).update(after={"n": "篡改"})
    rehash_from(4, audit_v1.entry_hash)
    assert legacy_breaks() == []  # the old verifier's exit 0
    code, err = verify_audit(capsys)
    assert code == 1
    assert "#1: 签名密钥 ''" in err  # unkeyed entries are refused outright


def test_changed_entry_re_signed_without_the_key_is_detected(
    chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]
) -> None:
    AuditEntry.objects.filter(seq=4).update(after={"n": "篡改"})

    def guess(entry: AuditEntry, prev: str) -> str:
        # The intruder knows the format, the key id and the algorithm, but not the key.
        payload = (prev + audit._canonical(audit._hash_fields(entry))).encode("utf-8")
        return hmac_sm3(bytes.fromhex("c0" * 32), audit.ENTRY_PURPOSE + payload).hex()

    rehash_from(4, guess)
    code, err = verify_audit(capsys)
    assert code == 1
    assert [line.split(":")[0] for line in err.splitlines()] == [
        f"审计链断裂 #{n}" for n in range(4, 11)
    ]
    assert "内容哈希不符" in err
