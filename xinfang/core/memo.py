"""The last few values a process computed or read, in front of the project's shared cache.

The shared cache is a database table by default: fetching and unpickling a large value
from it (a ranked table of 5,000 units) costs most of a page. A key must name everything
the value depends on (a version, a refresh token), so a value is never served stale;
``forget`` drops the values of one tag (a period closed again in this process).

``packed``: the value goes to the shared cache pickled and zlib-compressed (level 1). A
database cache stores a value as base64 text, which PostgreSQL compresses again on write
(slowly: a 400 KiB ranking took 20 ms to store, 6 ms to read); NumPy arrays and repeated
names shrink about sevenfold, and a packed value costs a few milliseconds either way.
"""

from __future__ import annotations

import pickle
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.core.cache import cache

__all__ = ["ProcessMemo"]

V = TypeVar("V")


class _Packed:
    """A value as stored in the shared cache by ``through_cache(..., packed=True)``."""

    __slots__ = ("blob",)

    def __init__(self, value: object) -> None:
        self.blob = zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)

    def __getstate__(self) -> bytes:
        return self.blob

    def __setstate__(self, blob: bytes) -> None:
        self.blob = blob

    def value(self) -> object:
        return pickle.loads(zlib.decompress(self.blob))  # noqa: S301 - our own cache


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
        self,
        key: str,
        compute: Callable[[], V],
        seconds: int,
        tag: Hashable = None,
        *,
        packed: bool = False,
    ) -> V:
        """This process's value, else the shared cache's, else computed and stored in both
        (``packed``: compressed in the shared cache, see above)."""
        value = self.get(key)
        if value is None:
            stored = cache.get(key)
            if isinstance(stored, _Packed):
                stored = stored.value()
            value = stored
            if value is None:
                value = compute()
                cache.set(key, _Packed(value) if packed else value, seconds)
        self.remember(key, value, tag)
        return value
