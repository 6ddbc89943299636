"""Verify the audit chain; exit 1 and list the breaks if any entry was tampered with.

With ``--anchor FILE`` (default: ``XINFANG_AUDIT_ANCHOR_FILE`` when set) the chain is also
compared with every head signed into that file by ``xinfang audit_anchor``: only that
catches a chain cut short or emptied together with its head row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.audit import verify_anchors, verify_chain
from xinfang.core.models import AuditEntry


class Command(BaseCommand):
    help = "校验审计记录签名链（及锚点文件）：发现被修改、删除、插入、重排或截短的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            default=None,
            help="锚点文件（xinfang audit_anchor 写入）；默认 XINFANG_AUDIT_ANCHOR_FILE",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = options["anchor"] or settings.XINFANG_AUDIT_ANCHOR_FILE
        breaks = verify_chain()
        if anchor:
            breaks += verify_anchors(anchor)
        if breaks:
            for item in breaks:
                self.stderr.write(f"审计链断裂 {item}")
            raise SystemExit(1)
        checked = f"，与锚点文件 {anchor} 一致" if anchor else ""
        self.stdout.write(f"审计链完整：{AuditEntry.objects.count()} 条记录{checked}")
