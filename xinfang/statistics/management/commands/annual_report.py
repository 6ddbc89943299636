"""``xinfang annual_report --unit ID_OR_ADMIN_CODE --year 2026 --out FILE.pdf|FILE.xlsx``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.statistics.report import annual_report, report_pdf, report_xlsx


def find_unit(text: str) -> Unit:
    """A unit by its id or its administrative division code (the code wins for digits
    that are both, since codes are what offices write)."""
    found = Unit.objects.filter(Q(admin_code=text) | Q(pk=int(text) if text.isdigit() else -1))
    by_code = [u for u in found if u.admin_code == text]
    unit = by_code[0] if by_code else found.first()
    if unit is None:
        raise CommandError(f"没有编号或行政区划代码为 {text} 的单位", returncode=1)
    return unit


class Command(BaseCommand):
    """Write the Art. 41 annual report of a unit's subtree for a year, as PDF or xlsx
    (by the file's extension). Run by the office on the server; the same report
    downloads from the annual report page."""

    help = "生成《信访工作条例》第四十一条年度报告（PDF 或 xlsx）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--unit", required=True, help="单位编号或行政区划代码")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2026")
        parser.add_argument("--out", required=True, help="输出文件：*.pdf 或 *.xlsx")
        parser.add_argument(
            "--refresh", action="store_true", help="先重新统计该单位本年度汇总（默认读取每日汇总）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        suffix = out.suffix.lower()
        if suffix not in (".pdf", ".xlsx"):
            raise CommandError("--out 须以 .pdf 或 .xlsx 结尾", returncode=1)
        year = options["year"]
        if not 2000 <= year <= 2099:
            raise CommandError("--year 须在2000至2099之间", returncode=1)
        unit = find_unit(options["unit"])
        today = timezone.localdate()
        report = annual_report(unit, year, today=today, refresh=options["refresh"])
        data = report_pdf(report, today=today) if suffix == ".pdf" else report_xlsx(report)
        out.write_bytes(data)
        counted = timezone.localtime(report.counted_at) if report.counted_at else None
        self.stdout.write(
            f"{unit.name}{year}年度报告已写入 {out}（{len(data)} 字节；"
            f"数据统计于 {counted:%Y-%m-%d %H:%M}）"
        )
