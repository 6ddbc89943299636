"""``xinfang mark_overdue``: run the deadline job once (idempotent)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.petitions.reminders import run_deadline_job


class Command(BaseCommand):
    help = "标记超期信访事项并生成临期提醒（可重复运行，结果不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, help="按指定日期运行（测试用）")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_deadline_job(options.get("today"))
        self.stdout.write(
            f"重算期限 {result.recomputed} 件，新标记超期 {result.marked_overdue} 件，"
            f"新生成提醒 {result.queued} 条，发送 {result.sent} 条"
        )
