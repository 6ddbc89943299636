"""Run the web server and the background worker together (for a single machine).

By default Django's threaded ``runserver`` (serving /static/ itself): the demo. With
``--production``, gunicorn runs ``xinfang.wsgi:application`` with
``XINFANG_WEB_WORKERS`` worker processes; static files are then served by the front web
server from STATIC_ROOT (docs/deployment.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def gunicorn_bind(addrport: str) -> str:
    """runserver's ``[addr:]port`` as a gunicorn bind address (the port alone means
    loopback, as with runserver)."""
    if addrport.isdigit():
        return f"127.0.0.1:{addrport}"
    return addrport


def gunicorn_command(addrport: str, *, workers: int, threads: int) -> list[str]:
    """The gunicorn command line. One thread per worker is gunicorn's sync worker; more
    threads use its gthread worker (slow clients are nginx's job either way)."""
    if workers < 1 or not 1 <= threads <= 16:
        raise CommandError("workers 至少为 1,threads 应在 1 到 16 之间")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "xinfang.wsgi:application",
        "--bind",
        gunicorn_bind(addrport),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        # Exports and documents run in the worker, so no request needs long.
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        # Recycle workers now and then so a leak cannot grow without bound.
        "--max-requests",
        "5000",
        "--max-requests-jitter",
        "500",
        "--access-logfile",
        "-",
        # One control socket per user (~/.gunicorn) would clash between instances.
        "--no-control-socket",
    ]


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGINT end the command through its ``finally`` blocks, which stop the
    children; by default SIGTERM killed this process alone and left the worker and
    gunicorn running (orphans holding the port and the queue)."""

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop_child(process: Any, timeout: float) -> None:
    """Terminate a child and wait for it; kill it if it does not stop in time."""
    process.terminate()  # a no-op once the child has exited
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Command(BaseCommand):
    help = "同时启动网站（默认 127.0.0.1:8000）和后台任务进程"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")
        parser.add_argument(
            "--production",
            action="store_true",
            help="用 gunicorn 运行（静态文件由前端 Web 服务器提供，见 docs/deployment.md）",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="gunicorn 进程数（默认 XINFANG_WEB_WORKERS）",
        )
        parser.add_argument("--threads", type=int, default=1, help="每个 gunicorn 进程的线程数")

    def handle(self, *args: Any, **options: Any) -> None:
        with stop_on_signals():
            self.serve(**options)

    def serve(self, **options: Any) -> None:
        web_cmd = None
        if options["production"]:
            workers = options["workers"] or settings.XINFANG_WEB_WORKERS
            web_cmd = gunicorn_command(
                options["addrport"], workers=workers, threads=options["threads"]
            )
        worker = None
        if not options["no_worker"]:
            # The worker only drives the database: killing it loses nothing (see docs).
            worker = subprocess.Popen([sys.executable, "-m", "xinfang", "run_huey", "-w", "1"])
        try:
            if web_cmd is not None:
                web = subprocess.Popen(web_cmd)  # noqa: S603 - our own interpreter and args
                try:
                    web.wait()
                finally:
                    # gunicorn's master stops its workers on SIGTERM (graceful timeout 20 s).
                    stop_child(web, timeout=30)
            else:
                # insecure_serving: runserver serves /static/ itself even with DEBUG off; a
                # production deployment serves STATIC_ROOT (collectstatic) from its web
                # server.
                call_command(
                    "runserver", options["addrport"], use_reloader=False, insecure_serving=True
                )
        finally:
            if worker is not None:
                stop_child(worker, timeout=10)
