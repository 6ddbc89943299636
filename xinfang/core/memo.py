"""The last few values a process computed or read, in front of the project's shared cache.

The shared cache is a database table by default: fetching and unpickling a large value
from it (a ranked table of 5,000 units) costs most of a page. A key must name everything
the value depends on (a version, a refresh token), so a value is never served stale;
``forget`` drops the values of one tag (a period closed again in this process).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.core.cache import cache

__all__ = ["ProcessMemo"]

V = TypeVar("V")


class ProcessMemo(Generic[V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, tuple[Hashable, V]] = OrderedDict()

    def get(self, key: str) -> V | None:
        found = self._values.get(key)
        return found[1] if found else None

    def remember(self, key: str, value: V, tag: Hashable = None) -> None:
        self._values[key] = (tag, value)
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def forget(self, tag: Hashable) -> None:
        for key in [k for k, (t, _v) in self._values.items() if t == tag]:
            del self._values[key]

    def through_cache(
        self, key: str, compute: Callable[[], V], seconds: int, tag: Hashable = None
    ) -> V:
        """This process's value, else the shared cache's, else computed and stored in both."""
        value = self.get(key)
        if value is None:
            value = cache.get(key)
            if value is None:
                value = compute()
                cache.set(key, value, seconds)
        self.remember(key, value, tag)
        return value
