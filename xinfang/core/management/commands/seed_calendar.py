"""Seed official holidays and make-up working days from chinese-calendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.calendar_seed import seed_years, supported_years


class Command(BaseCommand):
    help = "从 chinese-calendar 导入法定节假日与调休上班日（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="只导入指定年度，可多次")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["year"] or list(supported_years())
        unknown = [y for y in years if y not in supported_years()]
        if unknown:
            self.stderr.write(f"chinese-calendar 不包含这些年度：{unknown}")
            raise SystemExit(1)
        count = seed_years(years)
        self.stdout.write(f"已导入 {len(years)} 个年度，{count} 条节假日/调休记录")
