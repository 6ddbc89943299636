"""``xinfang recompute_deadlines``: recompute due dates after the holiday table changes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.petitions.services import recompute_deadlines


class Command(BaseCommand):
    help = "重新计算信访事项期限（默认只算“期限待定”的事项；--all 全部重算）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="重算全部事项")

    def handle(self, *args: Any, **options: Any) -> None:
        count = recompute_deadlines(pending_only=not options["all"])
        self.stdout.write(f"已重新计算 {count} 件事项的期限")
