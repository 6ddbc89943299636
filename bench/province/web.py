"""The web side of the benchmark: a server process, wrk, and small HTTP helpers.

The server is gunicorn running ``xinfang.wsgi:application`` with the bench settings, as
``xinfang serve --production`` runs it (``--server runserver`` measures Django's threaded
``runserver``, what ``xinfang serve`` runs for the demo and what the first runs used).
The product's page and its bare baseline are measured against the same server process
(same workers), one after the other, so the ratio compares the views and not the servers.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.province import common

WRK_HINT = "wrk is not installed: `apt-get install -y wrk` (Debian package) and run again"


def wrk_path() -> str | None:
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The app on a free loopback port: gunicorn (``workers`` sync processes, one thread
    each, the command line of ``xinfang serve --production``) or ``runserver --noreload``."""

    def __init__(self, url: str, *, kind: str = "gunicorn", workers: int = 3) -> None:
        from xinfang.core.management.commands.serve import gunicorn_command

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.kind, self.workers = kind, workers
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.province.bench_settings",
            "PYTHONPATH": str(common.ROOT),
            "XINFANG_LOG_LEVEL": "ERROR",
        }
        if kind == "gunicorn":
            cmd = gunicorn_command(f"127.0.0.1:{self.port}", workers=workers, threads=1)
            # No access log: writing a line per request is not what is measured.
            at = cmd.index("--access-logfile")
            del cmd[at : at + 2]
        elif kind == "runserver":
            cmd = [
                sys.executable,
                "-m",
                "django",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ]
        else:
            raise ValueError(kind)
        self.proc = subprocess.Popen(  # noqa: S603
            cmd,
            cwd=common.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=5).read()  # noqa: S310
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the bench server did not start")

    def describe(self) -> str:
        if self.kind == "gunicorn":
            return f"gunicorn, {self.workers} sync workers"
        return "Django's threaded runserver"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(
    url: str, *, cookie: str = "", data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    """One request without following redirects: (status, body, headers)."""
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))  # noqa: S310
    if cookie:
        request.add_header("Cookie", cookie)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace"), dict(exc.headers)


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses + socket errors
    raw: str


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    cookie: str = "",
    script: Path | None = None,
) -> WrkResult:
    exe = wrk_path()
    if exe is None:
        raise RuntimeError(WRK_HINT)
    cmd = [exe, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if script is not None:
        cmd += ["-s", str(script)]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, check=True)  # noqa: S603
    if done.stderr.strip():
        raise RuntimeError(f"wrk: {done.stderr.strip()[:500]}")
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # Anchored at the line start: a "+/- Stdev" column such as "64.99%" also ends in "99%".
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    return WrkResult(rps, p50, p99, total, errors, out)


def post_script(path: str, bodies: list[str], headers: dict[str, str], target: Path) -> Path:
    """A wrk Lua script that POSTs each body once, in turn (then starts over)."""

    def lua(text: str) -> str:
        return "[==[" + text + "]==]"

    lines = [
        "local bodies = {",
        *[f"  {lua(b)}," for b in bodies],
        "}",
        "local headers = {",
        *[f"  [ {lua(k)} ] = {lua(v)}," for k, v in headers.items()],
        "}",
        "local i = 0",
        "request = function()",
        "  i = i + 1",
        "  return wrk.format('POST', " + lua(path) + ", headers, bodies[((i - 1) % #bodies) + 1])",
        "end",
    ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
