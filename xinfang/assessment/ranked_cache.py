"""The ranked tables last served by this process, in front of the shared cache.

The shared cache is a database table: fetching and unpickling a 5,000-row table from it
took most of the results page's time. A key holds the period and its version, so a period
closed again elsewhere is never served stale; closing a period here also forgets its
tables (:func:`forget`, called by ``collect.store_results``).
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["KEPT", "forget", "get", "remember"]

KEPT = 8
_TABLES: OrderedDict[str, tuple[int, str]] = OrderedDict()


def get(key: str) -> str | None:
    found = _TABLES.get(key)
    return found[1] if found else None


def remember(key: str, period_id: int, table: str) -> None:
    _TABLES[key] = (period_id, table)
    _TABLES.move_to_end(key)
    while len(_TABLES) > KEPT:
        _TABLES.popitem(last=False)


def forget(period_id: int) -> None:
    for key in [k for k, (pid, _t) in _TABLES.items() if pid == period_id]:
        del _TABLES[key]
