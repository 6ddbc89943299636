"""`xinfang serve`: runserver for the demo, gunicorn with --production (issue 6)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.core.management.commands import serve


class FakeProcess:
    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.terminated = False

    def wait(self, timeout: float | None = None) -> int:
        return 0

    def poll(self) -> int | None:
        return 0

    def terminate(self) -> None:
        self.terminated = True


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[FakeProcess]:
    processes: list[FakeProcess] = []

    def popen(args: list[str], *a: Any, **kw: Any) -> FakeProcess:
        processes.append(FakeProcess(args))
        return processes[-1]

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    return processes


def test_production_runs_gunicorn_with_the_configured_workers_and_the_huey_worker(
    started: list[FakeProcess], settings: Any
) -> None:
    settings.XINFANG_WEB_WORKERS = 3
    call_command("serve", "0.0.0.0:8001", "--production", "--threads", "2")
    worker, web = started
    assert worker.args[1:] == ["-m", "xinfang", "run_huey", "-w", "1"]
    assert web.args[:4] == [sys.executable, "-m", "gunicorn", "xinfang.wsgi:application"]
    options = dict(zip(web.args[4::2], web.args[5::2], strict=False))
    assert options["--bind"] == "0.0.0.0:8001"
    assert options["--workers"] == "3"
    assert options["--threads"] == "2"
    assert worker.terminated


def test_production_without_worker_and_a_bare_port_binds_loopback(
    started: list[FakeProcess],
) -> None:
    call_command("serve", "8002", "--production", "--no-worker", "--workers", "2")
    (web,) = started
    assert "127.0.0.1:8002" in web.args
    assert web.args[web.args.index("--workers") + 1] == "2"


def test_the_default_is_runserver_with_static_files(
    started: list[FakeProcess], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **kw: calls.append((a, kw)))
    call_command("serve", "--no-worker")
    assert started == []
    assert calls == [
        (("runserver", "127.0.0.1:8000"), {"use_reloader": False, "insecure_serving": True})
    ]


def test_web_workers_default_to_one_per_core_and_follow_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib
    import os

    module = importlib.import_module("xinfang.settings")
    try:
        monkeypatch.delenv("XINFANG_WEB_WORKERS", raising=False)
        default = importlib.reload(module).XINFANG_WEB_WORKERS
        assert default == max(2, os.cpu_count() or 1)
        monkeypatch.setenv("XINFANG_WEB_WORKERS", "5")
        assert importlib.reload(module).XINFANG_WEB_WORKERS == 5
    finally:
        monkeypatch.undo()
        importlib.reload(module)


@pytest.mark.parametrize(("workers", "threads"), [(0, 1), (2, 0), (2, 17)])
def test_nonsense_worker_counts_are_refused(workers: int, threads: int) -> None:
    with pytest.raises(CommandError):
        serve.gunicorn_command("8000", workers=workers, threads=threads)
