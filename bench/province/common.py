"""Shared plumbing: which database, Django setup, the meta table the generator leaves."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "bench" / "data"
RESULTS_DIR = ROOT / "bench" / "results"
DEFAULT_DB_URL = f"sqlite:///{DATA_DIR / 'province.sqlite3'}"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/xinfang_bench"
META_TABLE = "bench_meta"
FACTS_TABLE = "bench_assessment_fact"


def reexec_in_venv() -> None:
    """Run under the project's virtualenv whatever ``python3`` the shebang found."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if venv_python.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        os.execv(str(venv_python), [str(venv_python), *sys.argv])  # noqa: S606


def check_not_test_db(url: str) -> None:
    """The dataset never goes into the test database (or the development one)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        name = parts.path.lstrip("/")
        if name in ("", "test", "postgres", "xinfang") or name.startswith("test_"):
            raise SystemExit(f"refusing to use database {name!r}: use a bench database")
    elif parts.scheme == "sqlite":
        path = Path(parts.path if not parts.path.startswith("//") else parts.path[1:])
        if path.resolve().parent != DATA_DIR.resolve():
            raise SystemExit("the SQLite bench database must live under bench/data/")
    else:
        raise SystemExit(f"unsupported database URL {url!r}")


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme.startswith("postgres")


def sqlite_path(url: str) -> Path:
    path = urlsplit(url).path
    return Path(path[1:] if path.startswith("//") else path)


def pg_admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def pg_dbname(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def pg_conninfo(url: str) -> str:
    """psycopg wants ``postgresql://``; dj-database-url accepts both spellings."""
    return "postgresql://" + url.split("://", 1)[1]


def prepare_env() -> None:
    """The bench's own data directory (huey queue, media, exports) under bench/data/var."""
    var = DATA_DIR / "var"
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XINFANG_DATA_DIR", str(var))
    os.environ.setdefault("XINFANG_LOG_LEVEL", "ERROR")


def setup_django(url: str, settings: str = "xinfang.settings") -> None:
    """Point Django at the bench database and set it up (the project's own settings)."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    prepare_env()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def read_meta() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608
        return dict(cursor.fetchall())


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def database_size(url: str) -> int:
    from django.db import connection

    if is_postgres(url):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    path = sqlite_path(url)
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def table_sizes(url: str, tables: list[str]) -> dict[str, Any]:
    """Rows and on-disk size (table + indexes) of the big tables."""
    from django.db import connection

    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            rows = cursor.fetchone()[0]
            size = None
            if is_postgres(url):
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                size = cursor.fetchone()[0]
            out[table] = (rows, size)
    return out
