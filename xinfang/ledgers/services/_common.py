"""Helpers shared by the ledger services."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.workflow import SYSTEM
from xinfang.org.access import can


def check(actor: Any, action: str, unit: Any) -> None:
    """Services re-check the grant; ``SYSTEM`` (or, for writes that are no workflow step,
    ``None``) is the system (demo, jobs)."""
    if actor is not None and actor is not SYSTEM and not can(actor, action, unit.path):
        raise NotFoundOrForbidden("对象不存在或您无权操作")


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)
