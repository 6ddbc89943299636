"""Verify the audit chain; exit 1 and list the breaks if any entry was tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinfang.core.audit import verify_chain
from xinfang.core.models import AuditEntry


class Command(BaseCommand):
    help = "校验审计记录哈希链:发现被修改、删除、插入或重排的记录"

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = verify_chain()
        if breaks:
            for item in breaks:
                self.stderr.write(f"审计链断裂 {item}")
            raise SystemExit(1)
        self.stdout.write(f"审计链完整:{AuditEntry.objects.count()} 条记录")
