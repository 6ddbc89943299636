"""Import matters from the general register (受理事项总登记簿) into a unit's subtree.

Every row is checked first, then every matter is entered through the real steps with its
real dates, in one transaction; any problem is printed (sheet, row, column), the command
exits 1 and nothing is imported. ``--dry-run`` does all of it and rolls it back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.errors import TransitionNotAllowed
from xinfang.documents.errors import RegisterImportInvalid
from xinfang.documents.register_import import import_register
from xinfang.org.models import Unit, User


class Command(BaseCommand):
    help = "从受理事项总登记簿（平台导出的 Excel 格式）导入信访事项"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="总登记簿（.xlsx）")
        parser.add_argument("--unit", required=True, help="导入到的单位编码（其下级单位均可）")
        parser.add_argument(
            "--user",
            required=True,
            help="以哪位管理员的名义导入（用户名；须在该单位有导入登记簿的权限，记入审计）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只校验并显示将要导入的内容")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self._fail(f"文件 {path} 不存在")
        unit = Unit.objects.filter(admin_code=options["unit"], is_active=True).first()
        if unit is None:
            self._fail(f"没有编码为 {options['unit']} 的单位")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            self._fail(f"没有用户名为 {options['user']} 的工作人员")
        progress = _Progress(self.stderr) if sys.stderr.isatty() else None
        try:
            result = import_register(
                path.read_bytes(),
                actor=user,
                unit=unit,
                dry_run=options["dry_run"],
                progress=progress,
            )
        except RegisterImportInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            self._fail(f"共 {len(exc.problems)} 处错误，未导入任何数据。")
        except TransitionNotAllowed as exc:
            self._fail(str(exc))
        for flag in result.flags:
            same = "、".join(flag["candidates"])
            self.stdout.write(f"第 {flag['row']} 行（{flag['number']}）：疑似同一事项 {same}")
        if options["dry_run"]:
            self.stdout.write(f"校验通过（未写入）：{result.summary()}")
            return
        self.stdout.write(f"导入完成：{result.summary()}")

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(1)


class _Progress:
    def __init__(self, out: Any) -> None:
        self.out = out

    def __call__(self, done: int, total: int, phase: str) -> None:
        what = "校验" if phase == "check" else "导入"
        percent = int(100 * done / total) if total else 100
        self.out.write(f"\r{what} {done}/{total}({percent}%)", ending="")
