"""Xinfang settings, driven by ``XINFANG_*`` environment variables.

Every variable read here is listed in ``.env.example`` with its meaning; a test
fails when one is not. ``DATABASE_URL`` selects the database (SQLite by default).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("XINFANG_DEBUG", False)
# Production refuses to start with the development key (see check --deploy and README).
SECRET_KEY = env_str("XINFANG_SECRET_KEY", "django-insecure-development-only-key-change-me")
ALLOWED_HOSTS = env_list("XINFANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
DATA_DIR = Path(env_str("XINFANG_DATA_DIR", str(PROJECT_DIR / "var")))
PRODUCTION = env_bool("XINFANG_PRODUCTION", False)
# The SQLite database and the worker's SQLite queue live here; a fresh checkout has no var/.
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "xinfang.shell.admin_apps.XinfangAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "xinfang.core",
    "xinfang.org",
    "xinfang.shell",
    "xinfang.petitions",
    "xinfang.ledgers",
    "xinfang.assessment",
    "xinfang.portal",
    "xinfang.documents",
    "xinfang.supervision",
    "xinfang.trips",
    "xinfang.statistics",
    "xinfang.grids",
]

MIDDLEWARE = [
    # sec-auth (issue 10): X-Forwarded-Proto is believed only from XINFANG_TRUSTED_PROXIES.
    "xinfang.core.middleware.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "xinfang.core.middleware.SecurityHeadersMiddleware",
    "xinfang.core.outage.OutageMiddleware",  # issue 10: outages 503, oversized numbers 400
    "django.contrib.sessions.middleware.SessionMiddleware",
    # core (issue 6): renews the idle timeout at most once a minute, not on every request.
    "xinfang.core.middleware.SessionRefreshMiddleware",
    # sec-auth (issue 10): sign out when XINFANG_SESSION_MAX_SECONDS since sign-in is past.
    "xinfang.core.middleware.SessionLifetimeMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # sec-auth (issue 10): the second factor (request.user.is_verified, then enforcement).
    "django_otp.middleware.OTPMiddleware",
    "xinfang.org.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xinfang.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.org.navigation.navigation",
            ],
        },
    },
]

# sec-misc (issue 10): outages, SQLite locking, attachments at rest.
# Seconds a SQLite writer waits for the write lock before "database is locked" (then 503).
XINFANG_SQLITE_TIMEOUT = env_int("XINFANG_SQLITE_TIMEOUT", 20)
# Attachments are sealed with the personal-data cipher; plaintext files still download.
XINFANG_ENCRYPT_ATTACHMENTS = env_bool("XINFANG_ENCRYPT_ATTACHMENTS", True)
# Attachment files readable by the service account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'xinfang.sqlite3'}"),
        conn_max_age=env_int("XINFANG_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": XINFANG_SQLITE_TIMEOUT,  # the busy timeout; a PRAGMA here would override it
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# models.W040: covering indexes (INCLUDE) serve the due-soon page on PostgreSQL; SQLite keeps
# the key columns only, which is intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "xinfang.org.auth.StaffBackend",
    "xinfang.org.auth.CitizenPhoneBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments live outside the web root and are served only through scoped views.
MEDIA_ROOT = Path(env_str("XINFANG_MEDIA_ROOT", str(DATA_DIR / "attachments")))
XINFANG_MAX_UPLOAD_BYTES = env_int("XINFANG_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = XINFANG_MAX_UPLOAD_BYTES + 1024 * 1024

# Sessions expire after inactivity: SessionRefreshMiddleware renews the expiry at most once
# a minute (core, issue 6: saving the session on every request cost a write per page view).
SESSION_COOKIE_AGE = env_int("XINFANG_SESSION_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("XINFANG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("XINFANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# core (issue 6): gunicorn worker processes of `xinfang serve --production`. One per core
# (at least 2): with PostgreSQL on the same machine a third worker on 2 cores raised the due
# page's p99 from 41 to 55 ms (bench/results/province.md). Use 2 x cores + 1 when the
# database runs elsewhere.
XINFANG_WEB_WORKERS = env_int("XINFANG_WEB_WORKERS", max(2, os.cpu_count() or 1))
# core (issue 6): reverse proxies (addresses or networks) whose X-Forwarded-For is believed,
# e.g. 127.0.0.1 for an nginx on the same machine; empty = REMOTE_ADDR is the client.
XINFANG_TRUSTED_PROXIES = env_list("XINFANG_TRUSTED_PROXIES", [])

# Login throttling: this many failures for one account or address within the window lock it.
XINFANG_LOGIN_MAX_FAILURES = env_int("XINFANG_LOGIN_MAX_FAILURES", 5)
XINFANG_LOGIN_LOCKOUT_SECONDS = env_int("XINFANG_LOGIN_LOCKOUT_SECONDS", 15 * 60)

# sec-auth (issue 10): second factor and session lifetime. 等保 level 3 (GB/T 22239-2019
# 8.1.4.1) asks for two or more authentication factors for administrators: a TOTP device
# (django-otp) with one-use recovery codes. "admins": administrators only; "staff": every
# staff account (citizens, who sign in with their phone, never).
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
XINFANG_REQUIRE_2FA = env_str("XINFANG_REQUIRE_2FA", "staff" if PRODUCTION else "admins")
if XINFANG_REQUIRE_2FA not in {"admins", "staff"}:
    raise ImproperlyConfigured("XINFANG_REQUIRE_2FA must be 'admins' or 'staff'")
OTP_TOTP_ISSUER = "信访工作平台"
# Absolute session lifetime, counted from sign-in, whatever the activity (the idle timeout
# is XINFANG_SESSION_SECONDS).
XINFANG_SESSION_MAX_SECONDS = env_int("XINFANG_SESSION_MAX_SECONDS", 12 * 60 * 60)

# ui-admin (issue 11): accounts created in the admin without a password are activated by a
# one-time signed link, valid this many seconds (default 72 hours).
XINFANG_ACTIVATION_SECONDS = env_int("XINFANG_ACTIVATION_SECONDS", 72 * 60 * 60)

# Personal data: key id -> 32 hex-encoded bytes (SM4 uses the first 16), comma separated
# "id:hex" pairs. The first key encrypts; all decrypt. The blind-index key keys HMAC-SM3.
XINFANG_DATA_KEYS = env_str(
    "XINFANG_DATA_KEYS",
    "dev1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
)
XINFANG_INDEX_KEY = env_str(
    "XINFANG_INDEX_KEY", "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
)
XINFANG_CIPHER = env_str("XINFANG_CIPHER", "sm4-gcm")

# core, audit trail (issue 10): HMAC-SM3 keys of the audit chain, "id:hex" pairs (32 bytes
# each); the first signs new entries, all verify (rotation). The default is public: the
# deploy check xinfang.E006 refuses it. The anchor file, when set, receives the signed head
# of the chain from a periodic task (`xinfang audit_anchor`); keep it off this host.
XINFANG_AUDIT_KEYS = env_str(
    "XINFANG_AUDIT_KEYS",
    "audit-dev1:c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
)
XINFANG_AUDIT_ANCHOR_FILE = env_str("XINFANG_AUDIT_ANCHOR_FILE", "")
# Backups (xinfang backup / restore): "keyid:64-hex" keys, the first encrypts, all decrypt;
# never one of the personal-data, index or audit keys. No default: no key, no backup.
XINFANG_BACKUP_KEY = env_str("XINFANG_BACKUP_KEY", "")
# Months the audit trail is kept before the retention job may remove the oldest entries
# (at least 6: Cybersecurity Law Art. 21 (3), network logs kept no less than six months).
XINFANG_AUDIT_RETENTION_MONTHS = max(6, env_int("XINFANG_AUDIT_RETENTION_MONTHS", 36))

# The legal clock: "civil-code" = start day not counted, a last day on a rest day moves to
# the next working day (民法典 Arts. 201, 203). "start-day-counted" counts the start day.
XINFANG_DEADLINE_CONVENTION = env_str("XINFANG_DEADLINE_CONVENTION", "civil-code")
# supervision app: the days a body has to answer a supervision notice in writing. The 2022
# 《信访工作条例》 (Arts. 39–40) sets no period; the 30 days of the repealed 2005 《信访条例》
# Art. 36 are the default, and each office may set its own.
XINFANG_SUPERVISION_ANSWER_DAYS = env_int("XINFANG_SUPERVISION_ANSWER_DAYS", 30)
# petitions app: days before each step's due date that a reminder is queued.
XINFANG_REMINDER_DAYS = env_str(
    "XINFANG_REMINDER_DAYS", "route=3,notice=3,objection=1,handle=7,report=3,review=5,rereview=5"
)

# --- Outbox delivery (core/outbox.py): e-mail, SMS, retries -----------------------------
# E-mail through Django's mail backend: the console in development, SMTP in production.
EMAIL_BACKEND = env_str(
    "XINFANG_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("XINFANG_EMAIL_FROM", "xinfang@localhost")
EMAIL_HOST = env_str("XINFANG_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("XINFANG_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("XINFANG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("XINFANG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("XINFANG_EMAIL_TLS", False)
# SMS: an HTTP gateway (POST JSON {phone, text}, bearer token), else a JSON-lines file
# (development and tests), else none (SMS messages are given up, the reason recorded).
XINFANG_SMS_URL = env_str("XINFANG_SMS_URL", "")
XINFANG_SMS_TOKEN = env_str("XINFANG_SMS_TOKEN", "")
XINFANG_SMS_TIMEOUT = env_int("XINFANG_SMS_TIMEOUT", 10)
XINFANG_SMS_FILE = env_str("XINFANG_SMS_FILE", "")
# The public portal address that citizens' SMS point to.
XINFANG_PORTAL_URL = env_str("XINFANG_PORTAL_URL", "http://127.0.0.1:8000/portal/")
# Attempts before a message is given up; first retry delay (doubled each time); seconds
# after which a claim of a worker that died is taken over.
XINFANG_OUTBOX_MAX_ATTEMPTS = env_int("XINFANG_OUTBOX_MAX_ATTEMPTS", 6)
XINFANG_OUTBOX_BACKOFF_SECONDS = env_int("XINFANG_OUTBOX_BACKOFF_SECONDS", 60)
XINFANG_OUTBOX_CLAIM_SECONDS = env_int("XINFANG_OUTBOX_CLAIM_SECONDS", 300)
# --- end of outbox delivery ----------------------------------------------------------------

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "xinfang_cache",
    }
}

# Background work: the database is the source of truth; huey only drives it.
_redis_url = env_str("XINFANG_REDIS_URL", "")
if _redis_url:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "xinfang",
        "url": _redis_url,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "xinfang",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env_bool("XINFANG_TASKS_IMMEDIATE", False),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("XINFANG_LOG_LEVEL", "WARNING")},
}

# Community grids (哈办发〔2011〕14号): about one full-time community worker per this many
# households; map tiles from the deployment's own web server (a path such as
# "/tiles/{z}/{x}/{y}.png"; empty for a plain background — never an outside tile server,
# so only a path on this site is taken); the radius for "matters nearby" on a matter page.
GRID_HOUSEHOLDS_PER_WORKER = env_int("XINFANG_GRID_HOUSEHOLDS_PER_WORKER", 900)
_tiles = env_str("XINFANG_MAP_TILES_URL", "")
MAP_TILES_URL = _tiles if _tiles.startswith("/") and not _tiles.startswith("//") else ""
NEARBY_METRES = env_int("XINFANG_NEARBY_METRES", 500)
