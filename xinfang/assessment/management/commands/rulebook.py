"""``xinfang rulebook check NAME|PATH``: validate a rulebook and report inconsistencies."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.assessment.check import check_rulebook
from xinfang.assessment.errors import RulebookInvalid
from xinfang.assessment.rulebook import load_rulebook, resolve_rulebook


class Command(BaseCommand):
    """Validate a rulebook; exit 1 when there are errors, 0 when only warnings."""

    help = "检查考核细则：格式校验与一致性检查（子项合计、类别满分、各节合计）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="校验考核细则并报告不一致之处")
        check.add_argument("rulebook", help="内置细则名称（如 xinfang-2023）或 YAML 文件路径")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = resolve_rulebook(options["rulebook"])
            rb = load_rulebook(path)
        except RulebookInvalid as exc:
            raise CommandError(str(exc), returncode=1) from exc
        findings = check_rulebook(rb)
        errors = [f for f in findings if f.level == "error"]
        for f in findings:
            (self.stderr if f.level == "error" else self.stdout).write(str(f))
        summary = (
            f"{rb.rulebook} 版本 {rb.version}：{len(errors)} 个错误，"
            f"{len(findings) - len(errors)} 个警告"
        )
        if errors:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)
