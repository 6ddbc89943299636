"""Remove audit entries older than XINFANG_AUDIT_RETENTION_MONTHS (at least six months;
logic in ``xinfang/core/retention.py``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.retention import prune_audit


class Command(BaseCommand):
    help = "清理超过保存期限的审计记录（至少保存六个月；只删除最早的一段，链保持完整）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只显示将删除多少条")

    def handle(self, *args: Any, **options: Any) -> None:
        result = prune_audit(dry_run=options["dry_run"])
        verb = "将删除" if options["dry_run"] else "已删除"
        self.stdout.write(
            f"{verb} {result.cutoff:%Y-%m-%d %H:%M} 之前的审计记录 {result.removed} 条"
            f"（至第 {result.floor_seq} 条）"
        )
