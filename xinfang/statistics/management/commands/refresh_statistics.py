"""``xinfang refresh_statistics [--months N | --year YYYY]``: recount the aggregates."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.statistics.aggregates import refresh_statistics
from xinfang.statistics.jobs import recount_recent_months, warm_default_rankings
from xinfang.statistics.periods import months_between


class Command(BaseCommand):
    """Recount the monthly aggregates the ranking and the public pages read, and the yearly
    ones of the annual report (the nightly
    job does the last two months; after an import or a correction, run it for a year)."""

    help = "重新统计月度汇总"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--months", type=int, default=2, help="最近几个月（默认2）")
        parser.add_argument("--year", type=int, help="整年重新统计")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["year"]:
            year = options["year"]
            if not 2000 <= year <= 2099:
                raise CommandError("--year 须在2000至2099之间", returncode=1)
            written = refresh_statistics(months_between(date(year, 1, 1), date(year, 12, 31)))
        else:
            if not 1 <= options["months"] <= 240:
                raise CommandError("--months 须在1至240之间", returncode=1)
            written = recount_recent_months(options["months"])
        warmed = warm_default_rankings()
        self.stdout.write(f"已写入 {written} 行月度和年度汇总，预先计算 {warmed} 个默认排名")
