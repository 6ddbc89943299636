"""``xinfang deadline FROM DAYS [--working] [--convention …]``: a due date for scripts.

The first line is the due date alone (``YYYY-MM-DD``), or ``pending not-before YYYY-MM-DD``
when the calendar does not cover it yet; the reasoning in Chinese follows. Exit 0 with a
due date, 3 when pending, 2 on bad input.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.core.calendar import CONVENTIONS, legal_calendar
from xinfang.core.deadline_reasoning import check_period, explain_deadline
from xinfang.core.errors import DeadlineError

BAD_INPUT = 2
PENDING = 3


class Command(BaseCommand):
    help = "期限计算器：按法定节假日安排计算届满日，并说明计算过程"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", metavar="FROM", help="起算日（事件发生日），YYYY-MM-DD")
        parser.add_argument("days", metavar="DAYS", help="期限天数")
        parser.add_argument("--working", action="store_true", help="按工作日计算")
        parser.add_argument(
            "--convention",
            default=None,
            help=f"起算日规则：{' 或 '.join(CONVENTIONS)}（默认取 XINFANG_DEADLINE_CONVENTION）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = date.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(
                f"起算日 “{options['start']}” 不是有效日期，格式应为 YYYY-MM-DD",
                returncode=BAD_INPUT,
            ) from exc
        try:
            days = int(options["days"])
        except ValueError as exc:
            raise CommandError(
                f"期限天数 “{options['days']}” 不是整数", returncode=BAD_INPUT
            ) from exc
        convention = options["convention"] or settings.XINFANG_DEADLINE_CONVENTION
        try:
            check_period(days, convention)
        except DeadlineError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        result = explain_deadline(
            legal_calendar(), start, days, working=options["working"], convention=convention
        )
        if result.due is not None:
            self.stdout.write(result.due.isoformat())
        else:
            self.stdout.write(f"pending not-before {result.not_before}")
        for step in result.steps:
            self.stdout.write(step)
        if result.pending:
            raise CommandError(
                f"届满日待定：{result.pending_year} 年的法定节假日安排尚未录入", returncode=PENDING
            )
