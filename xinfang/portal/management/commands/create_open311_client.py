"""Create an Open311 client for a receiving unit and print its api_key once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.org.models import Unit
from xinfang.portal.services import issue_open311_client


class Command(BaseCommand):
    help = "为 Open311 接入系统签发 api_key（只显示一次），其提交的诉求登记到指定单位"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="接入系统名称，如“12345热线”")
        parser.add_argument(
            "--unit",
            required=True,
            help="接收单位：主键、行政区划代码或名称（默认应为县信访工作机构）",
        )
        parser.add_argument(
            "--trusted",
            action="store_true",
            help="可信系统：创建诉求时返回查询码，由该系统转交信访人（否则以短信发给信访人）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(options["unit"])
        units = Unit.objects.filter(is_active=True)
        unit = (
            (units.filter(pk=int(raw)).first() if raw.isdigit() else None)
            or units.filter(admin_code=raw).first()
            or units.filter(name=raw).first()
        )
        if unit is None:
            raise CommandError(f"没有找到单位 {raw}")
        client, key = issue_open311_client(
            actor=None, name=options["name"], unit=unit, trusted=bool(options["trusted"])
        )
        self.stdout.write(f"{client.name} → {unit.name}")
        self.stdout.write(key)
