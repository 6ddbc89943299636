"""Run the web server and the background worker together (for a single machine)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "同时启动网站(默认 127.0.0.1:8000)和后台任务进程"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None
        if not options["no_worker"]:
            # The worker only drives the database: killing it loses nothing (see docs).
            worker = subprocess.Popen([sys.executable, "-m", "xinfang", "run_huey", "-w", "1"])
        try:
            # insecure_serving: runserver serves /static/ itself even with DEBUG off; a
            # production deployment serves STATIC_ROOT (collectstatic) from its web server.
            call_command(
                "runserver", options["addrport"], use_reloader=False, insecure_serving=True
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
