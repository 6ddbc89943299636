"""``xinfang export_facts --from D --to D [--unit CODE] --out F.csv [--subjects-out S.csv]``."""

from __future__ import annotations

import csv
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.assessment.facts import assessed_units, collect_facts, find_unit
from xinfang.core.facts import providers, unit_subject, write_csv


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{name} 日期格式应为 YYYY-MM-DD:{value}") from exc


class Command(BaseCommand):
    """Write the facts of every registered provider (petitions, supervision, ledgers…) for
    the units with an assessment category, each measured on its subtree, as the FACTS.csv
    of ``xinfang assess`` plus ``evidence`` and ``source`` columns. The ``item`` column
    holds duty keys; each rulebook's ``mapping`` turns them into its own item codes."""

    help = "导出全部考评事实（各业务职责事实与服务指标），格式为 xinfang assess 的事实表"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="期间起 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="期间止 YYYY-MM-DD")
        parser.add_argument("--out", default="-", help="输出事实表 CSV；缺省或 - 为标准输出")
        parser.add_argument("--unit", help="只导出该单位（行政区划/机构代码或编号）及其下级")
        parser.add_argument("--subjects-out", help="同时写出考核对象表 CSV")
        parser.add_argument(
            "--provider",
            action="append",
            choices=[p.name for p in providers()],
            help="只导出这些来源（可重复）；缺省为全部",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        if end < start:
            raise CommandError("--to 不能早于 --from")
        root = None
        if options["unit"]:
            root = find_unit(options["unit"])
            if root is None:
                raise CommandError(f"找不到单位：{options['unit']}")
        units = assessed_units(root)
        facts = collect_facts(start, end, units, only=options["provider"])
        if options["out"] == "-":
            count = write_csv(facts, sys.stdout)
        else:
            with open(options["out"], "w", encoding="utf-8", newline="") as fh:
                count = write_csv(facts, fh)
        if options["subjects_out"]:
            with open(options["subjects_out"], "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(["subject", "name", "category", "lines"])
                for unit in units:
                    writer.writerow([unit_subject(unit), unit.name, unit.category, ""])
        self.stderr.write(f"已导出 {count} 条事实（{len(units)} 个考核对象）。")
