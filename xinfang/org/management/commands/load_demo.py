"""Create the deterministic demo county and print a login for each role."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.org.demo import DEMO_PASSWORD, build_demo_county
from xinfang.org.models import Unit


class Command(BaseCommand):
    help = "生成演示县（单位、各角色人员、群众及演示数据），并打印各角色登录账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="已有单位时不做任何事")

    def handle(self, *args: Any, **options: Any) -> None:
        if Unit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("数据库已有数据，跳过演示数据。")
                self.print_logins()
                return
            self.stderr.write("数据库已有单位数据；演示数据只能导入空数据库（或使用 --if-empty）。")
            raise SystemExit(1)
        started = time.monotonic()
        build_demo_county()
        self.stdout.write(f"演示数据已生成，用时 {time.monotonic() - started:.1f} 秒。")
        self.print_logins()

    def print_logins(self) -> None:
        from xinfang.org.choices import Role
        from xinfang.org.demo import CITIZEN_PHONE, STAFF

        self.stdout.write(
            "\n登录地址 http://127.0.0.1:8000/login/   所有账号密码：" + DEMO_PASSWORD
        )
        self.stdout.write(f"{'角色':<10}{'登录名':<18}")
        for role, login, *_rest in STAFF:
            self.stdout.write(f"{Role(role).label:<10}{login:<18}")
        self.stdout.write(f"{'群众':<10}{CITIZEN_PHONE:<18}（手机号登录）")
        # The administrator must have a second factor (XINFANG_REQUIRE_2FA): no demo secret
        # is shipped, so the first sign-in enrols the tester's own authenticator app.
        self.stdout.write(
            "系统管理员 admin 首次登录后须绑定动态口令：用手机身份验证器应用扫描页面上的"
            "二维码（或手动输入密钥），之后每次登录输入 6 位动态口令。"
        )
