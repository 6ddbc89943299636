"""Export the ledgers' late and missing items as assessment facts (FACTS.csv)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.ledgers.facts import derive_facts, write_csv
from xinfang.org.models import Unit


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式不正确:{value}(应为 YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = (
        "导出台账考评事实(迟报、漏报、未排查、例会缺失、脱岗、纠纷逾期等),"
        "格式为 xinfang assess 的 FACTS.csv:subject,item,date,quantity,value,tags,note"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD")
        parser.add_argument("--unit", help="单位编号或行政区划/机构代码(含下级);缺省为全部")
        parser.add_argument("--out", default="-", help="输出文件;缺省或 - 为标准输出")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("--to 不能早于 --from")
        unit = None
        if options.get("unit"):
            key = options["unit"]
            unit = (
                Unit.objects.filter(pk=int(key)).first() if key.isdigit() else None
            ) or Unit.objects.filter(admin_code=key).first()
            if unit is None:
                raise CommandError(f"找不到单位:{key}")
        facts = derive_facts(start, end, unit=unit)
        if options["out"] == "-":
            count = write_csv(facts, sys.stdout)
        else:
            with open(options["out"], "w", encoding="utf-8", newline="") as fp:
                count = write_csv(facts, fp)
        self.stderr.write(f"已导出 {count} 条考评事实。")
