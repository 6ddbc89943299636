"""Keys of the audit chain: rotation, the re-signing migration, the deploy check."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from xinfang.core import audit, audit_v1
from xinfang.core.audit import GENESIS, verify_chain
from xinfang.core.models import AuditAction, AuditEntry, AuditHead
from xinfang.core.tests.test_settings import PRODUCTION_ENV, _check_deploy
from xinfang.shell.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("owner_disabled_the_trigger")]

resign_migration = importlib.import_module("xinfang.core.migrations.0008_audit_key_id_resign")
NEW_KEY = "audit2:" + "9e" * 32


def _record(cast: Cast, n: int) -> list[AuditEntry]:
    return [
        audit.record(actor=cast.no_grant, action=AuditAction.PII_READ, detail={"i": i})
        for i in range(n)
    ]


def test_rotated_key_signs_new_entries_and_old_ones_still_verify(cast: Cast) -> None:
    old = settings.XINFANG_AUDIT_KEYS
    _record(cast, 3)
    with override_settings(XINFANG_AUDIT_KEYS=f"{NEW_KEY},{old}"):
        _record(cast, 2)
        assert list(AuditEntry.objects.values_list("key_id", flat=True)) == [
            *["audit-dev1"] * 3,
            *["audit2"] * 2,
        ]
        assert verify_chain() == []


def test_entries_of_a_dropped_key_no_longer_verify(cast: Cast) -> None:
    _record(cast, 2)
    with override_settings(XINFANG_AUDIT_KEYS=NEW_KEY):
        reasons = [str(b) for b in verify_chain()]
    assert reasons == [
        f"#{n}: 签名密钥 'audit-dev1' 未配置（XINFANG_AUDIT_KEYS），无法校验（或记录系伪造）"
        for n in (1, 2)
    ]


def _legacy_chain(cast: Cast, n: int) -> None:
    """Entries as the releases before issue 10 wrote them: no key id, unkeyed SHA-256."""
    prev = GENESIS
    for i in range(1, n + 1):
        entry = AuditEntry(
            seq=i,
            created_at=audit.timezone.now().replace(microsecond=0),
            actor=cast.no_grant,
            actor_label=cast.no_grant.username,
            action=AuditAction.LOGIN,
            detail={"i": i},
            prev_hash=prev,
            key_id="",
        )
        entry.entry_hash = prev = audit_v1.entry_hash(entry, prev)
        entry.save()
    AuditHead.objects.create(pk=1, last_seq=n, last_hash=prev)


def test_migration_re_signs_an_intact_legacy_chain(cast: Cast) -> None:
    _legacy_chain(cast, 5)
    assert [b.seq for b in verify_chain()] == [1, 2, 3, 4, 5]  # unkeyed: refused
    resign_migration.resign(apps, None)
    assert verify_chain() == []
    assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {"audit-dev1"}
    audit.record(actor=cast.no_grant, action=AuditAction.LOGOUT)  # the chain goes on
    assert verify_chain() == []


def test_migration_refuses_to_launder_a_broken_legacy_chain(cast: Cast) -> None:
    _legacy_chain(cast, 4)
    AuditEntry.objects.filter(seq=3).update(actor_label="别人")
    with pytest.raises(RuntimeError, match="审计链在第 3 条断裂，拒绝重新签名"):
        resign_migration.resign(apps, None)


def test_migration_reverses_to_the_legacy_chain(cast: Cast) -> None:
    _record(cast, 3)
    resign_migration.unsign(apps, None)
    assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {""}
    resign_migration.resign(apps, None)
    assert verify_chain() == []


def test_deleting_an_account_leaves_its_signed_entries_intact(cast: Cast) -> None:
    user = cast.user_with("registrar", cast.unit_a, username="leaver")
    audit.record(actor=user, action=AuditAction.LOGIN)
    user.delete()
    assert verify_chain() == []
    assert AuditEntry.objects.get().actor_label == "leaver"


def test_check_deploy_refuses_the_development_audit_key(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "XINFANG_AUDIT_KEYS"}
    result = _check_deploy(tmp_path, **env)
    assert result.returncode != 0
    assert "xinfang.E006" in result.stderr  # test_settings checks that the others pass


def test_key_id_longer_than_the_column_is_refused(db: None) -> None:
    with (
        override_settings(XINFANG_AUDIT_KEYS="k" * 33 + ":" + "9e" * 32),
        pytest.raises(ImproperlyConfigured, match="超过 32 字符"),
    ):
        audit.signing_key_id()
