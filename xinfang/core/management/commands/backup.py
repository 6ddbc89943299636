"""Write an encrypted, signed backup of the database and the attachments into DIR
(logic in ``xinfang/core/backup.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.backup import BackupInvalid, create_backup, describe


class Command(BaseCommand):
    help = "备份数据库和附件到目录 DIR（用 XINFANG_BACKUP_KEY 加密，附哈希清单）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="备份目录（须为空或不存在）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = create_backup(Path(options["directory"]))
        except BackupInvalid as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from None
        self.stdout.write(f"备份完成：{describe(manifest)}")
