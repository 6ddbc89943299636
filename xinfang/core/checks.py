"""Deployment checks (``xinfang check --deploy``): refuse development secrets in production.

Django's own deploy checks cover cookies, HSTS and the like; these cover what only Xinfang
knows: the development defaults of the secret key and of the personal-data keys are public
(they are in the repository), so a production settings module must replace them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

DEV_SECRET_KEY = "django-insecure-development-only-key-change-me"  # noqa: S105 - the known default
DEV_DATA_KEYS = "dev1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
DEV_INDEX_KEY = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
DEV_AUDIT_KEYS = "audit-dev1:c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if not getattr(settings, "PRODUCTION", False):
        errors.append(
            Error(
                "XINFANG_PRODUCTION is not true: secure cookies, HSTS and HTTPS are off.",
                hint="Set XINFANG_PRODUCTION=true for a deployment.",
                id="xinfang.E001",
            )
        )
    key = settings.SECRET_KEY
    if key == DEV_SECRET_KEY or len(key) < 50 or len(set(key)) < 5:
        errors.append(
            Error(
                "XINFANG_SECRET_KEY is the development default or too weak.",
                hint="Use at least 50 random characters.",
                id="xinfang.E002",
            )
        )
    if DEV_DATA_KEYS.split(":", 1)[1] in settings.XINFANG_DATA_KEYS:
        errors.append(
            Error(
                "XINFANG_DATA_KEYS still contains the public development key.",
                hint="Generate a key (python -c 'import secrets; print(secrets.token_hex(32))'),"
                " put it first and run `xinfang rekey_personal_data`.",
                id="xinfang.E003",
            )
        )
    if settings.XINFANG_INDEX_KEY == DEV_INDEX_KEY:
        errors.append(
            Error(
                "XINFANG_INDEX_KEY is the public development key.",
                hint="Set it before the first record is stored; changing it needs re-indexing.",
                id="xinfang.E004",
            )
        )
    if DEV_AUDIT_KEYS.split(":", 1)[1] in settings.XINFANG_AUDIT_KEYS:
        # With a public key anyone with database access can re-sign a rewritten chain.
        errors.append(
            Error(
                "XINFANG_AUDIT_KEYS still contains the public development key.",
                hint="Generate a key (see E003) and set it before the deployment's first"
                " `migrate`, which signs the existing entries with it.",
                id="xinfang.E006",
            )
        )
    if not settings.PASSWORD_HASHERS or settings.PASSWORD_HASHERS[0] != ARGON2:
        errors.append(Error("Argon2 must be the first password hasher.", id="xinfang.E005"))
    return errors


@register("calendar", deploy=True)
def check_covered_years_have_holidays(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """A year marked covered with no rest day entered is almost surely never transcribed.

    The legal clock would count it as plain Monday–Friday and move no deadline past its
    holidays (民法典 Art. 203), silently shortening every period that ends in it.
    """
    from xinfang.core.calendar import legal_calendar
    from xinfang.core.holidays import years_without_holidays

    try:
        bare = years_without_holidays(legal_calendar())
    except DatabaseError:
        return []  # not migrated yet: no year is covered, nothing to warn of
    return [
        Warning(
            f"Calendar year {year} is marked covered but has no holidays entered; "
            "its periods are counted as plain Monday-Friday.",
            hint=f"Enter the official notice: `xinfang holidays load FILE --replace` "
            f"(or 系统管理 → 已覆盖年度), then check with `xinfang holidays show {year}`.",
            id="xinfang.W101",
        )
        for year in bare
    ]
