"""Backups: a consistent snapshot of the database and the attachments, encrypted.

``xinfang backup DIR`` writes into an empty ``DIR``:

- ``database.sqlite3.enc`` (SQLite's online backup API: a consistent copy while the
  platform runs) or ``database.pgdump.enc`` (``pg_dump --format=custom``, one snapshot
  transaction);
- ``attachments.tar.enc`` (everything under ``MEDIA_ROOT``; attachments sealed at rest stay
  sealed inside);
- ``manifest.json``: each file's size and SHA-256 before and after encryption, the audit
  chain's head and row counts, signed with the backup key (``manifest.sig``).

The files are encrypted with ``XINFANG_BACKUP_KEY`` (AES-256-GCM in 1 MiB chunks, each
chunk's number and the "last" flag authenticated, so a truncated or reordered file does not
decrypt). The personal-data keys (``XINFANG_DATA_KEYS``, ``XINFANG_INDEX_KEY``) and the
audit keys live only in the environment and are never written into a backup; the backup key
must differ from all of them, so a stolen backup and a stolen backup key still do not give
the sealed phone and ID numbers inside.

``xinfang restore DIR`` checks the signature and every hash, refuses a database or
attachment folder that is not empty, restores, and verifies the audit chain against the
head recorded in the manifest.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connections
from django.utils import timezone

from xinfang.core.crypto import parse_key_list
from xinfang.core.errors import PersonalDataError, XinfangError

FORMAT = 1
MAGIC = b"XFBK1\x00"
CHUNK = 1024 * 1024
NONCE_PREFIX = 7
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ATTACHMENTS = "attachments.tar.enc"
# Work files of the organisation import, never worth restoring.
SKIPPED_MEDIA = ("org-imports",)


class BackupInvalid(XinfangError):
    """A backup refused: wrong key, changed or missing file, or a target that is not empty."""


@dataclass(frozen=True)
class BackupKey:
    key_id: str
    key: bytes


def backup_keys() -> dict[str, bytes]:
    """``XINFANG_BACKUP_KEY``: ``id:64-hex`` keys, the first encrypts, all decrypt."""
    spec = getattr(settings, "XINFANG_BACKUP_KEY", "")
    if not spec:
        raise BackupInvalid("未配置备份密钥 XINFANG_BACKUP_KEY（id:64 位十六进制）")
    try:
        keys = parse_key_list(spec, setting="XINFANG_BACKUP_KEY")
    except PersonalDataError as exc:
        raise BackupInvalid(str(exc)) from exc
    others = set(parse_key_list(settings.XINFANG_DATA_KEYS, setting="XINFANG_DATA_KEYS").values())
    others |= set(
        parse_key_list(settings.XINFANG_AUDIT_KEYS, setting="XINFANG_AUDIT_KEYS").values()
    )
    others.add(bytes.fromhex(settings.XINFANG_INDEX_KEY))
    if others & set(keys.values()):
        raise BackupInvalid("备份密钥不得与个人信息密钥、检索密钥或审计密钥相同")
    return keys


def active_key() -> BackupKey:
    key_id, key = next(iter(backup_keys().items()))
    return BackupKey(key_id, key)


# ---------------------------------------------------------------------------------------
# The encrypted file format: MAGIC, key id, nonce prefix, then length-prefixed chunks.


def encrypt_stream(source: BinaryIO, target: BinaryIO, key: BackupKey) -> None:
    prefix = os.urandom(NONCE_PREFIX)
    key_id = key.key_id.encode("utf-8")
    target.write(MAGIC + struct.pack(">B", len(key_id)) + key_id + prefix)
    aead = AESGCM(key.key)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">IB", index, int(last))
        sealed = aead.encrypt(nonce, chunk, MAGIC + key_id)
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(source: BinaryIO, target: BinaryIO, keys: dict[str, bytes]) -> None:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupInvalid("不是本平台的备份文件（文件头不符）")
    (length,) = struct.unpack(">B", source.read(1))
    key_id = source.read(length)
    key = keys.get(key_id.decode("utf-8", "replace"))
    if key is None:
        raise BackupInvalid(
            f"备份用密钥 {key_id.decode('utf-8', 'replace')!r} 未配置（XINFANG_BACKUP_KEY）"
        )
    prefix = source.read(NONCE_PREFIX)
    aead = AESGCM(key)
    index = 0
    while True:
        header = source.read(4)
        if len(header) < 4:
            raise BackupInvalid("备份文件不完整（被截短）")
        (size,) = struct.unpack(">I", header)
        sealed = source.read(size)
        for last in (0, 1):
            try:
                chunk = aead.decrypt(
                    prefix + struct.pack(">IB", index, last), sealed, MAGIC + key_id
                )
            except InvalidTag:
                continue
            target.write(chunk)
            if last:
                if source.read(1):
                    raise BackupInvalid("备份文件末尾有多余数据（被改动）")
                return
            break
        else:
            raise BackupInvalid("备份文件已损坏、被改动，或密钥不对")
        index += 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _seal_file(plain: Path, target: Path, key: BackupKey) -> dict[str, Any]:
    with plain.open("rb") as source, target.open("wb") as out:
        encrypt_stream(source, out, key)
        out.flush()
        os.fsync(out.fileno())
    return {
        "bytes": plain.stat().st_size,
        "sha256": _sha256(plain),
        "stored_sha256": _sha256(target),
    }


# ---------------------------------------------------------------------------------------
# The database


def _vendor() -> str:
    return str(connections["default"].vendor)


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for name, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupInvalid(f"找不到 PostgreSQL 工具 {name}（请安装 postgresql-client）")
    return found


HEAD_SQL = "SELECT seq, entry_hash FROM core_auditentry ORDER BY seq DESC LIMIT 1"
COUNT_SQL = "SELECT count(*) FROM core_auditentry"


def _head(row: Any, count: int) -> dict[str, Any]:
    seq, entry_hash = row if row else (0, "0" * 64)
    return {"seq": seq, "hash": entry_hash, "entries": count}


def _snapshot_database(target: Path) -> tuple[str, dict[str, Any]]:
    """The snapshot file, and the audit head *inside* that snapshot (writers go on)."""
    connection = connections["default"]
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # The backup API would wait forever for this connection's own open transaction.
            raise BackupInvalid("备份须在事务之外进行（请直接运行 xinfang backup）")
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent image while others keep writing.
            connection.connection.backup(copy)
            head = _head(copy.execute(HEAD_SQL).fetchone(), copy.execute(COUNT_SQL).fetchone()[0])
        finally:
            copy.close()
        return "database.sqlite3", head
    if connection.vendor == "postgresql":
        # pg_dump runs in a snapshot exported by a transaction of its own connection,
        # which reads the head in that same snapshot: the manifest's head is the dump's
        # (and what the caller's own transaction may not have committed is in neither).
        own = connections.create_connection("default")
        try:
            with own.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                cursor.execute(HEAD_SQL)
                row = cursor.fetchone()
                cursor.execute(COUNT_SQL)
                head = _head(row, cursor.fetchone()[0])
                subprocess.run(  # noqa: S603 - fixed argument list, no shell
                    [
                        _pg_tool("pg_dump"),
                        "--format=custom",
                        "--no-owner",
                        f"--snapshot={snapshot}",
                        "--file",
                        str(target),
                    ],
                    env=_pg_env(connection.settings_dict),
                    check=True,
                    capture_output=True,
                )
                cursor.execute("COMMIT")
        finally:
            own.close()
        return "database.pgdump", head
    raise BackupInvalid(f"不支持备份 {connection.vendor} 数据库")


def _archive_media(target: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w") as archive:
        if media.is_dir():
            for entry in sorted(media.iterdir()):
                if entry.name not in SKIPPED_MEDIA:
                    archive.add(entry, arcname=entry.name)


def _audit_head() -> dict[str, Any]:
    with connections["default"].cursor() as cursor:
        cursor.execute(HEAD_SQL)
        row = cursor.fetchone()
        cursor.execute(COUNT_SQL)
        return _head(row, cursor.fetchone()[0])


def _sign(manifest: bytes, key: bytes) -> str:
    return hmac.new(key, b"xinfang-backup-manifest\x00" + manifest, hashlib.sha256).hexdigest()


def create_backup(directory: Path) -> dict[str, Any]:
    """Write a backup into ``directory`` (created; must be empty). Returns the manifest."""
    key = active_key()
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupInvalid(f"备份目录 {directory} 不是空的")
    files: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=".work-", dir=directory) as work:
        os.chmod(work, 0o700)
        plain_db = Path(work) / "database"
        name, head = _snapshot_database(plain_db)
        files[f"{name}.enc"] = _seal_file(plain_db, directory / f"{name}.enc", key)
        plain_db.unlink()
        plain_media = Path(work) / "attachments.tar"
        _archive_media(plain_media)
        files[ATTACHMENTS] = _seal_file(plain_media, directory / ATTACHMENTS, key)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "database": _vendor(),
        "key_id": key.key_id,
        "files": files,
        "audit": head,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    (directory / MANIFEST).write_bytes(body)
    (directory / SIGNATURE).write_text(_sign(body, key.key) + "\n", encoding="ascii")
    from xinfang.core import audit
    from xinfang.core.models import AuditAction
    from xinfang.core.workflow import SYSTEM

    # A copy of everything left the database: that is an export, in the trail after the
    # head the backup holds.
    audit.record(
        actor=SYSTEM,
        action=AuditAction.EXPORT,
        object_type="core.backup",
        object_id=hashlib.sha256(body).hexdigest()[:16],
        detail={"directory": str(directory), "audit_seq": head["seq"], "files": sorted(files)},
    )
    return manifest


# ---------------------------------------------------------------------------------------
# Restoring


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, once its signature and every file's hash check out."""
    try:
        body = (directory / MANIFEST).read_bytes()
        signature = (directory / SIGNATURE).read_text(encoding="ascii").strip()
    except OSError as exc:
        raise BackupInvalid(f"备份目录 {directory} 缺少清单或签名") from exc
    manifest = json.loads(body)
    keys = backup_keys()
    key = keys.get(str(manifest.get("key_id", "")))
    if key is None:
        raise BackupInvalid(f"备份用密钥 {manifest.get('key_id')!r} 未配置（XINFANG_BACKUP_KEY）")
    if not hmac.compare_digest(_sign(body, key), signature):
        raise BackupInvalid("备份清单签名不符（清单被改动，或密钥不对）")
    for name, entry in manifest["files"].items():
        path = directory / name
        if not path.is_file() or _sha256(path) != entry["stored_sha256"]:
            raise BackupInvalid(f"备份文件 {name} 缺失或与清单不符")
    return manifest


def _open_file(directory: Path, name: str, entry: dict[str, Any], work: Path) -> Path:
    plain = work / name.removesuffix(".enc")
    with (directory / name).open("rb") as source, plain.open("wb") as out:
        decrypt_stream(source, out, backup_keys())
    if _sha256(plain) != entry["sha256"]:
        raise BackupInvalid(f"备份文件 {name} 解密后与清单不符")
    return plain


def _database_is_empty() -> bool:
    connection = connections["default"]
    return not connection.introspection.table_names()


def _media_is_empty() -> bool:
    media = Path(settings.MEDIA_ROOT)
    return not media.exists() or not any(media.iterdir())


def _restore_database(plain: Path, vendor: str) -> None:
    connection = connections["default"]
    if vendor != connection.vendor:
        raise BackupInvalid(f"备份是 {vendor} 数据库，当前配置的是 {connection.vendor}")
    if vendor == "sqlite":
        target = Path(str(connection.settings_dict["NAME"]))
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(plain)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    connection.close()
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(plain),
        ],
        env=_pg_env(connection.settings_dict),
        check=True,
        capture_output=True,
    )


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in archive.getmembers():
        if member.isfile() or member.isdir():
            yield member


def _restore_media(plain: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(plain) as archive:
        members = list(_members(archive))
        # "data": no absolute paths, no "..", no links or devices out of the folder.
        archive.extractall(media, members=members, filter="data")
    return sum(1 for m in members if m.isfile())


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    attachments: int


def restore_backup(directory: Path) -> Restored:
    """Restore into an empty database and an empty attachment folder; the caller then
    verifies the audit chain (``verify_restored``)."""
    manifest = read_manifest(directory)
    if not _database_is_empty():
        raise BackupInvalid("目标数据库不是空的：只能恢复到新建的空数据库")
    if not _media_is_empty():
        raise BackupInvalid(f"附件目录 {settings.MEDIA_ROOT} 不是空的：只能恢复到空目录")
    files = manifest["files"]
    database = next(name for name in files if name.startswith("database."))
    with tempfile.TemporaryDirectory(prefix="xinfang-restore-") as work:
        plain = _open_file(directory, database, files[database], Path(work))
        _restore_database(plain, manifest["database"])
        plain.unlink()
        media = _open_file(directory, ATTACHMENTS, files[ATTACHMENTS], Path(work))
        count = _restore_media(media)
    return Restored(manifest=manifest, attachments=count)


def verify_restored(manifest: dict[str, Any]) -> list[str]:
    """Problems of the restored database: a broken chain, or a head other than the one the
    backup recorded."""
    from xinfang.core.audit import verify_chain

    problems = [f"审计链断裂 {item}" for item in verify_chain()]
    head = _audit_head()
    expected = manifest["audit"]
    if (head["seq"], head["hash"]) != (expected["seq"], expected["hash"]):
        problems.append(
            f"审计链尾与备份清单不符：恢复后为第 {head['seq']} 条，备份时为第 {expected['seq']} 条"
        )
    return problems


def describe(manifest: dict[str, Any]) -> str:
    out = io.StringIO()
    entries = manifest["audit"]["entries"]
    out.write(f"{manifest['created_at']} · {manifest['database']} · 审计记录 {entries} 条")
    for name, entry in sorted(manifest["files"].items()):
        out.write(f"\n  {name}: {entry['bytes']} 字节，SHA-256 {entry['sha256'][:16]}…")
    return out.getvalue()
