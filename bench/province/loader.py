"""Bulk loading into the platform's own tables (PostgreSQL COPY, SQLite executemany).

Rows are built as Polars frames keyed by column name; columns the frame does not carry get
the model field's default, so a column another engineer adds later still loads. Indexes
and constraints of a table are dropped for the load and re-created afterwards (the way
``pg_restore`` does it): the re-created unique indexes, foreign keys and checks validate
every loaded row, so the data respects the schema without paying per-row checks.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import polars as pl

CHUNK_ROWS = 200_000


def _now_text() -> str:
    return datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")


def table_columns(model: Any) -> list[tuple[str, Any]]:
    """(column, field) of the model's concrete fields that exist in the database table."""
    from django.db import connection

    with connection.cursor() as cursor:
        present = {
            c.name
            for c in connection.introspection.get_table_description(cursor, model._meta.db_table)
        }
    return [(f.column, f) for f in model._meta.concrete_fields if f.column in present]


def complete(model: Any, frame: pl.DataFrame, *, vendor: str) -> pl.DataFrame:
    """Add every missing column with its field default; order columns like the table."""
    from django.db import models

    out = []
    for column, field in table_columns(model):
        if column in frame.columns:
            out.append(pl.col(column))
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = _now_text()
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif isinstance(field, models.CharField | models.TextField):
            value = ""
        else:
            raise ValueError(f"{model._meta.db_table}.{column}: no value and no default")
        if isinstance(value, dict | list):  # JSON defaults
            import json

            value = json.dumps(value)
        out.append(pl.lit(value).alias(column))
    frame = frame.select(out)
    # Text for dates and datetimes: what each database's COPY / adapter expects.
    casts = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Boolean and vendor == "sqlite":
            casts.append(pl.col(name).cast(pl.Int8))
        elif dtype == pl.Date:
            casts.append(pl.col(name).dt.strftime("%Y-%m-%d"))
    return frame.with_columns(casts) if casts else frame


class Loader:
    """Loads frames into one database, with the DDL deferred around each table."""

    def __init__(self, url: str) -> None:
        from bench.province.common import is_postgres, pg_conninfo, sqlite_path

        self.url = url
        self.vendor = "postgresql" if is_postgres(url) else "sqlite"
        self.timings: dict[str, float] = {}
        if self.vendor == "postgresql":
            import psycopg

            self.conn: Any = psycopg.connect(pg_conninfo(url), autocommit=True)
            self.conn.execute("SET maintenance_work_mem = '1GB'")
            self.conn.execute("SET synchronous_commit = off")
        else:
            import sqlite3

            self.conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
            for pragma in (
                "journal_mode = OFF",
                "synchronous = OFF",
                "cache_size = -1000000",
                "temp_store = MEMORY",
                "foreign_keys = OFF",
            ):
                self.conn.execute(f"PRAGMA {pragma}")

    def close(self) -> None:
        if self.vendor == "sqlite":
            self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.close()

    # -- deferred DDL -------------------------------------------------------------------
    @contextmanager
    def deferred(self, table: str) -> Iterator[None]:
        if self.vendor == "postgresql":
            cur = self.conn.cursor()
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'c')",
                [table],
            )
            constraints = cur.fetchall()
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cur.fetchall()
            for name, _ in constraints:
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            yield
            began = time.perf_counter()
            for _, definition in indexes:
                cur.execute(definition)
            for name, definition in constraints:
                cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT max(id) FROM {table}), 1))"
            )
            cur.execute(f"ANALYZE {table}")
            self.timings[f"{table} indexes+constraints"] = time.perf_counter() - began
        else:
            rows = self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [table],
            ).fetchall()
            for name, _ in rows:
                self.conn.execute(f'DROP INDEX "{name}"')
            yield
            began = time.perf_counter()
            for _, sql in rows:
                self.conn.execute(sql)
            self.timings[f"{table} indexes"] = time.perf_counter() - began

    # -- loading ------------------------------------------------------------------------
    def load(self, model: Any, frames: Iterator[pl.DataFrame] | pl.DataFrame) -> int:
        """Load frames into the model's table; returns the number of rows."""
        table = model._meta.db_table
        if isinstance(frames, pl.DataFrame):
            frames = iter([frames])
        began = time.perf_counter()
        total = 0
        with self.deferred(table):
            for frame in frames:
                for start in range(0, frame.height, CHUNK_ROWS):
                    part = complete(model, frame.slice(start, CHUNK_ROWS), vendor=self.vendor)
                    self._write(table, part)
                    total += part.height
        self.timings[table] = time.perf_counter() - began
        return total

    def _write(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        if self.vendor == "postgresql":
            buf = io.BytesIO()
            frame.write_csv(buf, include_header=False)
            sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
            with self.conn.cursor() as cur, cur.copy(sql) as copy:
                copy.write(buf.getbuffer())
        else:
            marks = ", ".join("?" for _ in frame.columns)
            self.conn.execute("BEGIN")
            self.conn.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                frame.iter_rows(),
            )
            self.conn.execute("COMMIT")

    def check_foreign_keys(self) -> int:
        """SQLite: the loader ran with foreign keys off; verify them all now."""
        if self.vendor != "sqlite":
            return 0
        problems = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise SystemExit(f"foreign key violations after load: {problems[:5]}")
        self.conn.execute("ANALYZE")
        return 0

    def execute(self, sql: str, params: Any = None) -> None:
        if self.vendor == "postgresql":
            self.conn.execute(sql, params)
        else:
            self.conn.execute(sql, params or [])
