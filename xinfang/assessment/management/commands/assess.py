"""``xinfang assess NAME|PATH --facts FACTS.csv [--subjects …] [--from … --to …] [--json]``."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.assessment.check import check_rulebook
from xinfang.assessment.engine import assess
from xinfang.assessment.errors import FactsInvalid, RulebookInvalid
from xinfang.assessment.facts_csv import read_facts, read_subjects
from xinfang.assessment.report import to_json, to_table
from xinfang.assessment.rulebook import load_rulebook, resolve_rulebook


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期 {text!r} 格式应为 YYYY-MM-DD", returncode=1) from exc


class Command(BaseCommand):
    """Score subjects from a facts CSV by a rulebook; print JSON or a Chinese table.

    Bad input exits 1 naming the file, the row and the value, and prints no result.
    A rulebook with consistency errors is refused; its warnings go into the result.
    """

    help = "按考核细则对事实表评分"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("rulebook", help="内置细则名称（如 model-2022）或 YAML 文件路径")
        parser.add_argument(
            "--facts", required=True, help="事实表 CSV:subject,item,date,quantity,value,tags,note"
        )
        parser.add_argument("--subjects", help="考核对象表 CSV:subject,name,category,lines")
        parser.add_argument("--from", dest="date_from", help="起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="date_to", help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["date_from"]) != bool(options["date_to"]):
            raise CommandError("--from 和 --to 必须同时给出", returncode=1)
        period = None
        if options["date_from"]:
            period = (_date(options["date_from"]), _date(options["date_to"]))
            if period[0] > period[1]:
                raise CommandError("--from 晚于 --to", returncode=1)
        try:
            rb = load_rulebook(resolve_rulebook(options["rulebook"]))
        except RulebookInvalid as exc:
            raise CommandError(str(exc), returncode=1) from exc
        findings = check_rulebook(rb)
        errors = [str(f) for f in findings if f.level == "error"]
        if errors:
            raise CommandError("考核细则未通过一致性检查：\n" + "\n".join(errors), returncode=1)
        files = {"facts": options["facts"], "subjects": options["subjects"]}
        try:
            facts = read_facts(options["facts"])
            subjects = read_subjects(options["subjects"]) if options["subjects"] else None
            result = assess(rb, facts, subjects, period=period)
        except FactsInvalid as exc:
            raise CommandError(exc.render(exc.file or files.get(exc.source)), returncode=1) from exc
        result.warnings.extend(str(f) for f in findings if f.level == "warning")
        if options["json"]:
            self.stdout.write(json.dumps(to_json(result), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(to_table(result), ending="")
