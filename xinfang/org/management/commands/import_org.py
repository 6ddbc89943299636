"""Import units and staff from the organisation workbook (sheets 单位 and 人员).

Every row is checked first; any problem is printed (sheet, row, column), the command
exits 1 and nothing is imported. New accounts are listed once with their one-time
activation links (``--links FILE`` writes the list to a file only its owner can read).
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.workflow import SYSTEM
from xinfang.org.errors import OrgImportInvalid
from xinfang.org.importing import Activation, import_workbook


class Command(BaseCommand):
    help = "从 Excel 工作簿（“单位”“人员”两张表）导入组织机构和人员"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="组织机构工作簿（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并显示将要做的变更")
        parser.add_argument(
            "--links", default="", help="把新账号的一次性激活链接写入此文件（CSV，仅本人可读）"
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="激活链接的网址前缀；默认取 XINFANG_PORTAL_URL 的协议和主机",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self.stderr.write(f"文件 {path} 不存在")
            raise SystemExit(1)
        progress = _Progress(self.stderr) if sys.stderr.isatty() else None
        try:
            with path.open("rb") as handle:
                result = import_workbook(
                    handle, actor=SYSTEM, dry_run=options["dry_run"], progress=progress
                )
        except OrgImportInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            self.stderr.write(f"共 {len(exc.problems)} 处错误，未导入任何数据。")
            raise SystemExit(1) from None
        summary = ",".join(f"{k} {v}" for k, v in result.plan.summary().items())
        if options["dry_run"]:
            self.stdout.write(f"校验通过（未写入）：{summary}")
            return
        self.stdout.write(f"导入完成：{summary}")
        if result.activations:
            self._activation_list(result.activations, options["links"], options["base_url"])

    def _activation_list(self, activations: list[Activation], target: str, base: str) -> None:
        base = base or _origin(settings.XINFANG_PORTAL_URL)
        rows = [(a.username, a.full_name, a.unit, base + a.path) for a in activations]
        hours = settings.XINFANG_ACTIVATION_SECONDS // 3600
        if target:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["用户名", "姓名", "单位", "一次性激活链接"])
                writer.writerows(rows)
            self.stdout.write(
                f"{len(rows)} 个新账号的一次性激活链接已写入 {target}（{hours} 小时内有效；"
                "逐一交给本人，用后销毁）"
            )
            return
        self.stdout.write(f"新账号的一次性激活链接（{hours} 小时内有效；逐一交给本人）：")
        for row in rows:
            self.stdout.write("\t".join(row))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


class _Progress:
    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.last = -1

    def __call__(self, done: int, total: int, phase: str) -> None:
        percent = done * 100 // total
        if percent != self.last:
            self.last = percent
            bar = "#" * (percent // 4)
            self.stream.write(f"\r[{bar:<25}] {percent:3d}% {phase}", ending="")
            if done >= total:
                self.stream.write("")
