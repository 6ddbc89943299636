"""Backups: encrypted, signed, restorable only into an empty place, checked on the way in."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from xinfang.core.backup import (
    BackupInvalid,
    BackupKey,
    create_backup,
    decrypt_stream,
    encrypt_stream,
    read_manifest,
)
from xinfang.core.models import AuditEntry
from xinfang.org import services
from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit, User

KEY = "bk1:" + "5a" * 32
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def backup_key(settings: Any) -> str:
    settings.XINFANG_BACKUP_KEY = KEY
    return KEY


def sealed(data: bytes) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, BackupKey("bk1", bytes.fromhex("5a" * 32)))
    return out.getvalue()


def opened(data: bytes) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(data), out, {"bk1": bytes.fromhex("5a" * 32)})
    return out.getvalue()


def test_encryption_round_trips_across_chunks() -> None:
    data = os.urandom(2 * 1024 * 1024 + 17)
    assert opened(sealed(data)) == data and opened(sealed(b"")) == b""


def test_a_truncated_backup_file_does_not_decrypt() -> None:
    whole = sealed(os.urandom(1024 * 1024 + 5))
    first_chunk_end = len(whole) - (5 + 16 + 4)
    with pytest.raises(BackupInvalid, match="截短"):
        opened(whole[:first_chunk_end])


def test_a_changed_byte_does_not_decrypt() -> None:
    damaged = bytearray(sealed(b"petition" * 100))
    damaged[-3] ^= 1
    with pytest.raises(BackupInvalid, match="损坏"):
        opened(bytes(damaged))


def test_no_backup_without_a_key_of_its_own(settings: Any, tmp_path: Path) -> None:
    settings.XINFANG_BACKUP_KEY = ""
    with pytest.raises(BackupInvalid, match="未配置备份密钥"):
        create_backup(tmp_path / "b")
    settings.XINFANG_BACKUP_KEY = settings.XINFANG_DATA_KEYS.split(",")[0]
    with pytest.raises(BackupInvalid, match="不得与个人信息密钥"):
        create_backup(tmp_path / "c")


# serialized_rollback: the flush afterwards must not re-create content types under new keys,
# or a later test restoring the serialized database collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_changed_manifest_is_refused(backup_key: str, tmp_path: Path) -> None:
    create_backup(tmp_path / "b")
    manifest = tmp_path / "b" / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"seq"', '"seq" '))
    with pytest.raises(BackupInvalid, match="签名不符"):
        read_manifest(tmp_path / "b")


@pytest.mark.django_db
def test_a_backup_goes_only_into_an_empty_directory(backup_key: str, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "old").write_text("x")
    with pytest.raises(BackupInvalid, match="不是空的"):
        create_backup(tmp_path / "b")


def _restore(directory: Path, target: Path, media: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{target}",
        "XINFANG_DATA_DIR": str(target.parent),
        "XINFANG_MEDIA_ROOT": str(media),
        "XINFANG_BACKUP_KEY": KEY,
        "XINFANG_DATA_KEYS": django_settings.XINFANG_DATA_KEYS,
        "XINFANG_INDEX_KEY": django_settings.XINFANG_INDEX_KEY,
        "XINFANG_AUDIT_KEYS": django_settings.XINFANG_AUDIT_KEYS,
    }
    return subprocess.run(  # noqa: S603 - the platform's own command
        [sys.executable, "-m", "xinfang", "restore", str(directory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path; PostgreSQL: drill")
# serialized_rollback: the flush afterwards must not re-create content types under new keys,
# or a later test restoring the serialized database collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_into_an_empty_database_gives_the_same_rows_and_chain(
    backup_key: str, settings: Any, tmp_path: Path
) -> None:
    county = services.create_unit(actor=None, name="备份县", level=UnitLevel.COUNTY)
    services.create_staff(
        actor=None,
        username="keeper",
        password=None,
        full_name="保管",
        unit=county,
        phone="13900000009",
    )
    media = Path(settings.MEDIA_ROOT)
    (media / "petitions").mkdir(parents=True, exist_ok=True)
    (media / "petitions" / "scan.bin").write_bytes(b"sealed attachment")
    manifest = create_backup(tmp_path / "backup")
    assert sorted(manifest["files"]) == ["attachments.tar.enc", "database.sqlite3.enc"]
    stored = b"".join(p.read_bytes() for p in (tmp_path / "backup").iterdir())
    for key in (settings.XINFANG_DATA_KEYS, settings.XINFANG_INDEX_KEY):
        for part in key.replace(",", ":").split(":"):
            assert part.encode() not in stored
    assert b"13900000009" not in stored and "保管".encode() not in stored

    target = tmp_path / "restored" / "xinfang.sqlite3"
    done = _restore(tmp_path / "backup", target, tmp_path / "media")
    assert done.returncode == 0, done.stderr
    assert "审计链完整" in done.stdout
    assert (tmp_path / "media" / "petitions" / "scan.bin").read_bytes() == b"sealed attachment"
    copy = sqlite3.connect(target)
    try:
        for table, model in (("org_unit", Unit), ("org_user", User)):
            assert (
                copy.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
                == model.objects.count()
            )
        audit_rows = copy.execute("select count(*) from core_auditentry").fetchone()[0]
    finally:
        copy.close()
    # The live chain has one entry more: the backup's own export entry.
    assert audit_rows == AuditEntry.objects.count() - 1 == manifest["audit"]["entries"]

    again = _restore(tmp_path / "backup", target, tmp_path / "media-2")
    assert again.returncode == 1 and "不是空的" in again.stderr
