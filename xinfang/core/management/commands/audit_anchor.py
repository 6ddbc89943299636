"""Append the signed head of the audit chain to a file outside the database.

Run on a schedule (the worker does it every 10 minutes when XINFANG_AUDIT_ANCHOR_FILE is
set); ``xinfang verify_audit --anchor FILE`` then detects a chain cut short or rewritten
behind any anchored head.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.core.audit import append_anchor


class Command(BaseCommand):
    help = "把审计链的签名链尾（序号、哈希、时间、密钥编号、签名）追加到锚点文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="锚点文件：只追加，宜放在另一台主机或只追加存储上")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = append_anchor(options["file"])
        self.stdout.write(f"已锚定第 {anchor.seq} 条记录（{anchor.at}，密钥 {anchor.key_id}）")
