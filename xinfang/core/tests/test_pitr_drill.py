"""The restore drill of docs/deployment.md ("Backups"), run for real.

A throw-away PostgreSQL 15 cluster with WAL archiving (the primary), the platform migrated
into it; a base backup (pg_basebackup); more audited writes; a point in time noted; more
writes after it; then a point-in-time recovery into a second cluster on another port. The
second cluster must hold exactly the rows and the audit head of that point, and
``xinfang verify_audit`` must pass on it. The same run restores ``xinfang backup``
(pg_dump) of the primary into an empty database of the second cluster.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parents[3]
BACKUP_KEY = "drill:" + "3c" * 32


def _as_postgres() -> list[str]:
    # initdb and postgres refuse to run as root; the Debian package's user runs them.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _why_not() -> str:
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        return f"PostgreSQL 15 server binaries not found under {BIN}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the cluster"
    return ""


pytestmark = pytest.mark.skipif(bool(_why_not()), reason=_why_not() or "-")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - fixed commands of the drill
        list(args), capture_output=True, text=True, timeout=600, env=env, check=False
    )
    assert done.returncode == 0, f"{args[:4]}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _pg(*args: str) -> str:
    return _run(*_as_postgres(), *args)


def _sql(port: int, sql: str, db: str = "drill") -> str:
    return _pg(
        str(BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db,
        "-Atc", sql,
    ).strip()  # fmt: skip


def _xinfang(port: int, *args: str, db: str = "drill", media: Path | None = None) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/{db}",
        "XINFANG_BACKUP_KEY": BACKUP_KEY,
        "XINFANG_MEDIA_ROOT": str(media or Path(tempfile.mkdtemp(prefix="xf-drill-media-"))),
    }
    return _run(sys.executable, "-m", "xinfang", *args, env=env)


def _write(port: int, label: str, n: int) -> None:
    code = (
        "from xinfang.core import audit\n"
        f"for i in range({n}):\n"
        "    audit.record(actor=None, action='change', object_type='drill',"
        f" object_id='{label}-%d' % i)"
    )
    _xinfang(port, "shell", "-c", code)


@pytest.fixture
def clusters() -> Iterator[tuple[Path, int, int]]:
    work = Path(tempfile.mkdtemp(prefix="xf-drill-"))
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    primary, replica = _free_port(), _free_port()
    try:
        yield work, primary, replica
    finally:
        for data in (work / "primary", work / "restored"):
            if (data / "postmaster.pid").exists():
                subprocess.run(  # noqa: S603
                    [
                        *_as_postgres(),
                        str(BIN / "pg_ctl"),
                        "-D",
                        str(data),
                        "-m",
                        "immediate",
                        "stop",
                    ],
                    capture_output=True,
                    check=False,
                )
        shutil.rmtree(work, ignore_errors=True)


def test_point_in_time_recovery_gives_the_rows_and_the_audit_head_of_that_moment(
    clusters: tuple[Path, int, int],
) -> None:
    work, port, second_port = clusters
    primary, archive, base, restored = (work / n for n in ("primary", "wal", "base", "restored"))
    _pg("mkdir", str(archive))
    _pg(str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    settings = (
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
        "wal_level = replica\narchive_mode = on\narchive_timeout = 60\n"
        f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
    )
    _pg("sh", "-c", f"cat >> {primary}/postgresql.conf <<'EOF'\n{settings}EOF")
    _pg(str(BIN / "pg_ctl"), "-D", str(primary), "-l", str(work / "primary.log"), "-w", "start")
    _sql(port, "CREATE DATABASE drill", db="postgres")
    _xinfang(port, "migrate", "-v", "0")
    _write(port, "before-base", 5)

    _pg(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
        "-D", str(base), "-X", "stream", "-c", "fast")  # fmt: skip
    _write(port, "after-base", 7)
    target = _sql(port, "SELECT clock_timestamp()")
    expected = _sql(port, "SELECT count(*), max(seq) FROM core_auditentry")
    expected_head = _sql(port, "SELECT entry_hash FROM core_auditentry ORDER BY seq DESC LIMIT 1")
    expected_units = _sql(port, "SELECT count(*) FROM core_calendarday")
    time.sleep(1.5)
    _write(port, "after-target", 4)
    segment = _sql(port, "SELECT pg_walfile_name(pg_current_wal_lsn())")
    _sql(port, "SELECT pg_switch_wal()")
    for _ in range(120):  # archive_command copies the closed segment
        if (archive / segment).exists():
            break
        time.sleep(0.5)
    assert (archive / segment).exists(), "the WAL segment was not archived"

    _pg("cp", "-a", str(base), str(restored))
    recovery = (
        f"port = {second_port}\narchive_mode = off\n"
        f"restore_command = 'cp {archive}/%f %p'\n"
        f"recovery_target_time = '{target}'\nrecovery_target_action = 'promote'\n"
    )
    _pg("sh", "-c", f"cat >> {restored}/postgresql.auto.conf <<'EOF'\n{recovery}EOF")
    _pg("touch", str(restored / "recovery.signal"))
    _pg(str(BIN / "pg_ctl"), "-D", str(restored), "-l", str(work / "restored.log"), "-w", "start")
    for _ in range(120):
        if _sql(second_port, "SELECT pg_is_in_recovery()", db="postgres") == "f":
            break
        time.sleep(0.5)

    assert _sql(second_port, "SELECT count(*), max(seq) FROM core_auditentry") == expected
    head = _sql(second_port, "SELECT entry_hash FROM core_auditentry ORDER BY seq DESC LIMIT 1")
    assert head == expected_head
    assert _sql(second_port, "SELECT count(*) FROM core_calendarday") == expected_units
    later = _sql(port, "SELECT count(*) FROM core_auditentry")
    assert int(later) == int(expected.split("|")[0]) + 4
    assert "审计链完整" in _xinfang(second_port, "verify_audit")

    # The logical backup of the same primary restores into an empty database there too.
    backup = work / "logical"
    _xinfang(port, "backup", str(backup))
    _sql(second_port, "CREATE DATABASE logical", db="postgres")
    out = _xinfang(second_port, "restore", str(backup), db="logical")
    assert "审计链完整" in out
    rows = _sql(port, "SELECT count(*) FROM core_auditentry WHERE object_type <> 'core.backup'")
    assert _sql(second_port, "SELECT count(*) FROM core_auditentry", db="logical") == rows
