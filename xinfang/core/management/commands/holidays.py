"""``xinfang holidays load FILE`` and ``xinfang holidays show YEAR``: a year's official schedule.

``load`` enters the State Council's notice transcribed as YAML (format in the README,
"Entering a year's holiday schedule") and recomputes every pending due date; exit 0 on
success, 2 when the file is refused (each problem as ``FILE:LINE: message``). ``show``
lists what is entered for a year; exit 1 when the year is not entered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.core.errors import HolidayNoticeInvalid
from xinfang.core.holidays import describe_year, enter_year, parse_notice
from xinfang.core.models import CalendarDay, CalendarYear

INVALID = 2


class Command(BaseCommand):
    help = "录入或查看某年度的法定节假日安排（依国务院办公厅节假日安排通知）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="从 YAML 文件录入一个年度的节假日安排")
        load.add_argument("file", help="按 README 格式转录的通知（YAML）")
        load.add_argument("--replace", action="store_true", help="替换已录入的该年度安排")
        load.add_argument(
            "--confirm-no-holidays",
            action="store_true",
            help="确认该年度通知中确实没有任何节假日",
        )
        show = sub.add_parser("show", help="列出某年度已录入的节假日与调休上班日")
        show.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options["file"], options["replace"], options["confirm_no_holidays"])
        else:
            self._show(options["year"])

    def _load(self, filename: str, replace: bool, confirm_no_holidays: bool) -> None:
        try:
            text = Path(filename).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件 {filename}：{exc}", returncode=INVALID) from exc
        try:
            notice = parse_notice(text)
            result = enter_year(
                notice, actor=None, replace=replace, confirm_no_holidays=confirm_no_holidays
            )
        except HolidayNoticeInvalid as exc:
            for line in exc.located(filename):
                self.stderr.write(line)
            raise CommandError(
                f"未录入：{filename} 有 {len(exc.problems)} 处问题", returncode=INVALID
            ) from exc
        self.stdout.write(
            f"已录入 {result.year} 年节假日安排（来源：{notice.source}）："
            f"放假 {result.holiday_days} 天，调休上班 {result.workdays} 天"
        )
        if result.replaced:
            self.stdout.write(f"已替换原有记录 {result.removed} 条")
        self.stdout.write("重新计算待定期限：")
        for label, changed in result.recomputed.items():
            self.stdout.write(f"  {label}：{changed} 条期限已更新")

    def _show(self, year: int) -> None:
        entered = CalendarYear.objects.filter(year=year).first()
        if entered is None:
            raise CommandError(f"{year} 年的节假日安排尚未录入", returncode=1)
        rows = list(
            CalendarDay.objects.filter(date__year=year).values_list(
                "date", "is_working_day", "name"
            )
        )
        self.stdout.write(f"{year} 年节假日安排（来源：{entered.source or '未注明'}）")
        lines = describe_year(rows)
        if not any(not working for _, working, _ in rows):
            self.stdout.write(
                "警告：该年度已标记为已覆盖，但没有任何休息日记录，将按普通周一至周五计算"
            )
        for line in lines:
            self.stdout.write(line)
