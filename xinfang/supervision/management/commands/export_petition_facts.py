"""``xinfang export_petition_facts --from 2026-01-01 --to 2026-12-31 --out facts.csv``.

Writes the facts CSV of the assessment engine (``subject,item,date,quantity,value,tags,
note``) from the platform's own records: the process duties of the petition records
(model rulebook 1.1–2.5, 3.1, 4.1–5.2, ``xinfang.petitions.facts``), late answers to
supervision notices and reminders (3.2, 3.3) and the three service rates (6.1–6.3).
Subjects are the units with an assessment category (``Unit.category``), each measured on
its subtree; ``--unit`` limits them to one subtree. ``--subjects-out`` also writes the
matching subjects CSV.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.facts import petition_fact_rows
from xinfang.petitions.measures import (
    FactRow,
    fact_rows,
    subject_code,
    unit_measures,
    write_facts_csv,
)
from xinfang.supervision.facts import supervision_fact_rows


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{name} 日期格式应为 YYYY-MM-DD:{value}") from exc


class Command(BaseCommand):
    help = "导出信访事项办理程序、督办和服务指标事实(考评事实表 CSV)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="期间起 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="期间止 YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="输出事实表 CSV 路径")
        parser.add_argument("--unit", help="只导出该单位(行政区划代码或编号)及其下级")
        parser.add_argument("--subjects-out", help="同时写出考核对象表 CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        if end < start:
            raise CommandError("--to 不能早于 --from")
        units = Unit.objects.filter(is_active=True).exclude(category="")
        if options["unit"]:
            key = options["unit"]
            root = Unit.objects.filter(
                Q(admin_code=key) | Q(pk=int(key) if key.isdigit() else None)
            ).first()
            if root is None:
                raise CommandError(f"找不到单位:{key}")
            units = units.filter(subtree_q(root.path))
        today = timezone.localdate()
        rows = []
        unit_list = list(units.order_by("path"))
        # The process-duty facts of every subject in one pass (one query per item).
        duties: dict[str, list[FactRow]] = defaultdict(list)
        for row in petition_fact_rows(start, end, today=today, subjects=unit_list):
            duties[row.subject].append(row)
        for unit in unit_list:
            rows.extend(duties.get(subject_code(unit), []))
            rows.extend(fact_rows([unit_measures(unit, start, end, today=today)]))
            rows.extend(supervision_fact_rows(unit, start, end, today=today))
        out = Path(options["out"])
        with out.open("w", encoding="utf-8", newline="") as fh:
            count = write_facts_csv(rows, fh)
        if options["subjects_out"]:
            with Path(options["subjects_out"]).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(["subject", "name", "category", "lines"])
                for unit in unit_list:
                    writer.writerow([subject_code(unit), unit.name, unit.category, ""])
        self.stdout.write(f"已写出 {count} 条事实({len(unit_list)} 个考核对象):{out}")
