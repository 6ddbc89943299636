"""Anchors: the signed head kept outside the database catches truncation and rewrites."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from xinfang.core import audit
from xinfang.core.audit import Anchor, verify_anchors
from xinfang.core.models import AuditAction, AuditEntry, AuditHead
from xinfang.core.tasks import anchor_audit_head
from xinfang.shell.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("owner_disabled_the_trigger")]


@pytest.fixture
def anchor_file(cast: Cast, tmp_path: Path) -> Path:
    for i in range(6):
        audit.record(actor=cast.no_grant, action=AuditAction.EXPORT, detail={"n": i})
    path = tmp_path / "anchors" / "audit.anchor"
    path.parent.mkdir()
    call_command("audit_anchor", str(path))
    return path


def verify_audit(capsys: pytest.CaptureFixture[str], anchor: Path) -> tuple[int, str]:
    try:
        call_command("verify_audit", "--anchor", str(anchor))
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().out


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]


def test_anchor_appends_one_signed_line_per_run(anchor_file: Path, cast: Cast) -> None:
    audit.record(actor=cast.no_grant, action=AuditAction.LOGIN)
    call_command("audit_anchor", str(anchor_file))
    first, second = lines(anchor_file)
    assert (first["seq"], second["seq"]) == (6, 7)
    assert second["hash"] == AuditEntry.objects.get(seq=7).entry_hash
    assert second["key_id"] == audit.signing_key_id()
    # The frozen today (10:00 in Beijing), ticking: stored in UTC with the offset.
    assert str(first["at"]).startswith("2026-09-01T02:0") and str(first["at"]).endswith("+00:00")
    assert Anchor(**second).expected_mac() == second["mac"]  # type: ignore[arg-type]
    assert stat.S_IMODE(anchor_file.stat().st_mode) == 0o600


def test_consistent_chain_verifies_against_its_anchors(
    anchor_file: Path, cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    audit.record(actor=cast.no_grant, action=AuditAction.LOGIN)  # growth after the anchor
    code, out = verify_audit(capsys, anchor_file)
    assert code == 0
    assert "审计链完整：7 条记录，与锚点文件" in out


def test_anchor_of_an_empty_chain_verifies(tmp_path: Path, db: None) -> None:
    path = tmp_path / "audit.anchor"
    call_command("audit_anchor", str(path))
    assert lines(path)[0]["seq"] == 0
    assert verify_anchors(path) == []


def test_missing_anchored_entry_inside_the_chain_is_reported(anchor_file: Path) -> None:
    AuditEntry.objects.filter(seq=6).update(seq=60)
    reasons = [b.reason for b in verify_anchors(anchor_file)]
    assert reasons == ["锚定的记录已被删除（锚点文件第 1 行）"]


def test_chain_rewritten_with_the_key_is_caught_by_an_earlier_anchor(
    anchor_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An insider who holds XINFANG_AUDIT_KEYS changes #3 and re-signs everything after it:
    # the chain verifies, but the anchored #6 no longer has the hash the file recorded.
    AuditEntry.objects.filter(seq=3).update(detail={"n": "篡改"})
    prev = AuditEntry.objects.get(seq=2).entry_hash
    for entry in AuditEntry.objects.filter(seq__gte=3).order_by("seq"):
        entry.prev_hash, entry.entry_hash = prev, audit.compute_hash(entry, prev)
        AuditEntry.objects.filter(pk=entry.pk).update(
            prev_hash=entry.prev_hash, entry_hash=entry.entry_hash
        )
        prev = entry.entry_hash
    AuditHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit.verify_chain() == []
    code, err = verify_audit(capsys, anchor_file)
    assert code == 1
    (anchor,) = lines(anchor_file)
    assert f"审计链断裂 #6: 记录哈希与 {anchor['at']} 的锚点不符：链被改写" in err


def test_edited_anchor_line_is_refused(
    anchor_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Moving the anchored head back to hide a truncation needs the key too.
    (line,) = lines(anchor_file)
    line["seq"], line["hash"] = 1, AuditEntry.objects.get(seq=1).entry_hash
    anchor_file.write_text(json.dumps(line) + "\n{not json\n", encoding="ascii")
    code, err = verify_audit(capsys, anchor_file)
    assert code == 1
    assert "锚点文件第 1 行签名不符" in err
    assert "锚点文件第 2 行签名不符" in err


def test_anchor_seq_going_back_is_reported(anchor_file: Path) -> None:
    first = anchor_file.read_text(encoding="ascii")
    unsigned = Anchor(
        seq=2,
        hash=AuditEntry.objects.get(seq=2).entry_hash,
        at="2026-09-01T02:10:00+00:00",
        key_id=audit.signing_key_id(),
    )
    older = replace(unsigned, mac=unsigned.expected_mac())
    anchor_file.write_text(first + older.line(), encoding="ascii")
    assert [b.reason for b in verify_anchors(anchor_file)] == [
        "锚点文件第 2 行序号倒退（锚点文件被改动）"
    ]


def test_missing_anchor_file_fails_verification(
    tmp_path: Path, db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = verify_audit(capsys, tmp_path / "gone.anchor")
    assert code == 1
    assert "不存在或不可读" in err


def test_anchor_signed_with_a_retired_key_still_verifies_after_rotation(
    anchor_file: Path,
) -> None:
    old = audit.settings.XINFANG_AUDIT_KEYS
    with override_settings(XINFANG_AUDIT_KEYS=f"audit2:{'9e' * 32},{old}"):
        assert verify_anchors(anchor_file) == []
    with override_settings(XINFANG_AUDIT_KEYS=f"audit2:{'9e' * 32}"):
        assert [b.reason for b in verify_anchors(anchor_file)] == [
            "锚点文件第 1 行：签名密钥 'audit-dev1' 未配置（XINFANG_AUDIT_KEYS）"
        ]


def test_periodic_task_anchors_to_the_configured_file(anchor_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "scheduled.anchor"
    with override_settings(XINFANG_AUDIT_ANCHOR_FILE=str(target)):
        assert anchor_audit_head.call_local() == 6
        assert anchor_audit_head.call_local() == 6
    assert [line["seq"] for line in lines(target)] == [6, 6]


def test_periodic_task_does_nothing_without_an_anchor_file(db: None) -> None:
    with override_settings(XINFANG_AUDIT_ANCHOR_FILE=""):
        assert anchor_audit_head.call_local() is None
