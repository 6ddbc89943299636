"""Settings are documented; production settings pass the deploy checks; security headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client

import xinfang.settings as real_settings
from xinfang.shell.testing import Cast

ROOT = Path(real_settings.__file__).resolve().parent.parent
SETTINGS_SOURCE = Path(real_settings.__file__).read_text(encoding="utf-8")


def settings_variables() -> set[str]:
    names = set(re.findall(r"env_\w+\(\s*\"(XINFANG_\w+)\"", SETTINGS_SOURCE))
    names |= set(re.findall(r"environ(?:\.get)?\(?\[?\s*\"(\w+)\"", SETTINGS_SOURCE))
    return names


def test_settings_reads_variables() -> None:
    # Guards the parser itself: these are certainly read.
    assert {"XINFANG_SECRET_KEY", "XINFANG_DATA_KEYS", "DATABASE_URL"} <= settings_variables()


@pytest.mark.parametrize("name", sorted(settings_variables()))
def test_every_setting_is_in_env_example(name: str) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(rf"^#?\s*{name}=", example, re.MULTILINE), f"{name} missing in .env.example"


@pytest.mark.parametrize("name", sorted(settings_variables()))
def test_every_setting_is_in_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme, f"{name} missing in README.md's settings table"


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        # The browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for this process only.
        if not key.startswith("XINFANG_")
        and key not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update({"XINFANG_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "xinfang", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_ENV = {
    "XINFANG_PRODUCTION": "true",
    "XINFANG_SECRET_KEY": "k7#Qm2@vX9!pL4$wR8^tY1&uZ6*oN3(aS5)dF0-gH_jK+lP=eB" * 2,
    "XINFANG_ALLOWED_HOSTS": "xinfang.example.gov.cn",
    "XINFANG_DATA_KEYS": "prod1:" + "5a" * 32,
    "XINFANG_INDEX_KEY": "6b" * 32,
    "XINFANG_AUDIT_KEYS": "audit1:" + "7c" * 32,
}


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_development_defaults(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, XINFANG_PRODUCTION="true")
    assert result.returncode != 0
    for code in ("xinfang.E002", "xinfang.E003", "xinfang.E004", "security.W009"):
        assert code in result.stderr


def test_check_deploy_fails_without_production_switch(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "XINFANG_PRODUCTION": "false"}
    result = _check_deploy(tmp_path, **env)
    assert result.returncode != 0
    assert "xinfang.E001" in result.stderr
    assert "security.W012" in result.stderr  # session cookie not secure


def test_argon2_is_the_first_hasher_of_the_real_settings() -> None:
    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # ...and the test run uses a fast one (see conftest).
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_argon2_hasher_works() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("Xinfang@2026", hasher.salt())
    assert encoded.startswith("argon2$") and hasher.verify("Xinfang@2026", encoded)


@pytest.mark.django_db
def test_security_headers_on_every_page() -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_session_times_out_after_inactivity_setting() -> None:
    assert settings.SESSION_COOKIE_AGE == real_settings.SESSION_COOKIE_AGE == 30 * 60
    # core (issue 6): the idle timeout is renewed by SessionRefreshMiddleware instead.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert "xinfang.core.middleware.SessionRefreshMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.django_db
def test_idle_session_expires(cast: Cast) -> None:
    user = cast.user_with("handler", cast.unit_a)
    client = Client()
    with time_machine.travel("2026-03-02 09:00:00+08:00", tick=False) as clock:
        client.force_login(user)
        assert client.get("/dashboard/").status_code == 200
        clock.shift(25 * 60)  # activity within the window renews it
        assert client.get("/dashboard/").status_code == 200
        clock.shift(29 * 60)
        assert client.get("/dashboard/").status_code == 200
        clock.shift(31 * 60)
        response = client.get("/dashboard/")
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_production_block_sets_secure_cookies_and_hsts(monkeypatch: Any) -> None:
    import importlib

    for key, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(key, value)
    module = importlib.import_module("xinfang.settings")
    try:
        prod = importlib.reload(module)
        assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
        assert prod.SECURE_HSTS_SECONDS >= 31536000 and prod.SECURE_SSL_REDIRECT
        assert prod.DEBUG is False
    finally:
        monkeypatch.undo()
        importlib.reload(module)
