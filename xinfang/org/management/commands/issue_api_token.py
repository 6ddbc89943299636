"""Issue an API token for a staff account and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.org.models import User
from xinfang.org.tokens import issue_token


class Command(BaseCommand):
    help = "为工作人员账号签发 API 令牌（只显示一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], kind="staff").first()
        if user is None:
            self.stderr.write(f"没有工作人员账号 {options['username']}")
            raise SystemExit(1)
        self.stdout.write(issue_token(actor=None, user=user, name=options["name"]))
