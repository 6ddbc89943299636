"""`xinfang serve` and `serve --production` stop their children on SIGTERM and SIGINT
(issue 10, finding 8c): a real process tree, started and signalled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xinfang.settings import PROJECT_DIR


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited early"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("serve did not start listening")


@pytest.mark.parametrize(
    ("extra", "sig"),
    [
        ([], signal.SIGTERM),
        ([], signal.SIGINT),
        (["--production", "--workers", "1"], signal.SIGTERM),
        (["--production", "--workers", "1"], signal.SIGINT),
    ],
    ids=["runserver-term", "runserver-int", "gunicorn-term", "gunicorn-int"],
)
def test_serve_leaves_no_child_running_after_a_signal(
    tmp_path: Path, extra: list[str], sig: signal.Signals
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "XINFANG_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "xinfang", "serve", f"127.0.0.1:{port}", *extra],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the test's own signals never reach it
    )
    children: set[int] = set()
    try:
        wait_for_port(port, process)
        children = descendants(process.pid)
        assert children, "the worker (and gunicorn) should be running"
        process.send_signal(sig)
        process.wait(timeout=60)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in children if alive(pid)] == []
    finally:
        # Orphans too (what this test catches), so a failure leaves nothing running.
        for pid in {process.pid, *children, *descendants(process.pid)}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
