"""Fixtures of the ledgers tests."""

from __future__ import annotations

import pytest

from xinfang.core.calendar import LegalCalendar, build_calendar
from xinfang.core.calendar_seed import seed_rows


@pytest.fixture(scope="session")
def cal() -> LegalCalendar:
    """The official 2025–2027 calendar as a pure value (no database)."""
    rows, years = seed_rows([2025, 2026])
    return build_calendar(rows, years)
