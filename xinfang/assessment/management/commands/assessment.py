"""``xinfang assessment facts PERIOD --out F.csv [--subjects S.csv]`` and
``xinfang assessment close PERIOD``.

``facts`` writes the facts a period scores (accepted and adjusted ones) in the ``assess``
CSV format, and its subjects; ``xinfang assess RULEBOOK --facts F.csv --subjects S.csv
--json`` on them gives the period's results exactly. ``close`` closes a period in its
appeal phase as the system (every appeal decided; before the appeal deadline a reason is
required) and prints its results as JSON.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.assessment import services
from xinfang.assessment.collect import counted_facts, stored_json
from xinfang.assessment.models import Period, Subject
from xinfang.assessment.scoring import write_facts_csv, write_subjects_csv
from xinfang.core.errors import XinfangError
from xinfang.core.workflow import SYSTEM


def _period(pk: str) -> Period:
    period = (
        Period.objects.select_related("scheme__assessing_unit")
        .filter(pk=int(pk) if pk.isdigit() else None)
        .first()
    )
    if period is None:
        raise CommandError(f"找不到考评期次：{pk}", returncode=1)
    return period


class Command(BaseCommand):
    """Export a period's facts and subjects, or close a period."""

    help = "考评期次：导出事实表与考核对象表（facts），结算（close）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        facts = sub.add_parser("facts", help="导出本期计分的事实（assess 的事实表格式）")
        facts.add_argument("period", help="考评期次编号")
        facts.add_argument("--out", default="-", help="事实表 CSV；缺省或 - 为标准输出")
        facts.add_argument("--subjects", help="同时写出考核对象表 CSV")
        close = sub.add_parser("close", help="结算考评期次并输出结果 JSON")
        close.add_argument("period", help="考评期次编号")
        close.add_argument("--reason", default="", help="申诉期未满提前结算时的理由")

    def handle(self, *args: Any, **options: Any) -> None:
        period = _period(options["period"])
        if options["action"] == "facts":
            self._facts(period, options)
        else:
            self._close(period, options["reason"])

    def _facts(self, period: Period, options: dict[str, Any]) -> None:
        facts = counted_facts(period)
        if options["out"] == "-":
            count = write_facts_csv(facts, sys.stdout)
        else:
            with open(options["out"], "w", encoding="utf-8", newline="") as fh:
                count = write_facts_csv(facts, fh)
        subjects = Subject.objects.filter(period=period).order_by("position")
        if options["subjects"]:
            with open(options["subjects"], "w", encoding="utf-8", newline="") as fh:
                write_subjects_csv(subjects, fh)
        self.stderr.write(f"已导出 {count} 条事实（{subjects.count()} 个考核对象）。")

    def _close(self, period: Period, reason: str) -> None:
        try:
            services.take_step(period, "close", actor=SYSTEM, reason=reason)
        except XinfangError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(json.dumps(stored_json(period), ensure_ascii=False, indent=2))
