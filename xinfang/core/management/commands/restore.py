"""Restore a backup made by ``xinfang backup`` into an empty database and attachment
folder, then verify the audit chain (logic in ``xinfang/core/backup.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from xinfang.core.backup import BackupInvalid, describe, restore_backup, verify_restored


class Command(BaseCommand):
    help = "从 xinfang backup 的备份目录恢复到空数据库和空附件目录，并校验审计链"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="备份目录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore_backup(Path(options["directory"]))
        except BackupInvalid as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from None
        connections.close_all()
        problems = verify_restored(restored.manifest)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise SystemExit(1)
        self.stdout.write(
            f"恢复完成：{describe(restored.manifest)}；附件 {restored.attachments} 个；审计链完整"
        )
