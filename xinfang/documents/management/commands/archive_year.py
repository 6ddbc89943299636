"""Export the archive package of the matters closed in YEAR (logic in
``xinfang/documents/archive.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.workflow import SYSTEM
from xinfang.documents.archive import export_year
from xinfang.org.models import Unit


class Command(BaseCommand):
    help = "导出某年办结事项的归档包（文书、办理过程、元数据 JSON 与哈希清单），供信访档案"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("file", help="归档包（.zip）")
        parser.add_argument("--unit", default="", help="只含此编码单位（及下级）承办的事项")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(admin_code=options["unit"]).first()
            if unit is None:
                self.stderr.write(f"没有编码为 {options['unit']} 的单位")
                raise SystemExit(1)
        package = export_year(options["year"], Path(options["file"]), actor=SYSTEM, unit=unit)
        self.stdout.write(
            f"已导出 {options['year']} 年办结事项 {package.matters} 件、文件 {package.files} 个"
            f"到 {package.path}（清单 SHA-256 {package.manifest_sha256[:16]}…）"
        )
