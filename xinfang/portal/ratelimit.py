"""Fixed-window counters in the Django cache (the database cache table by default).

Used by the public pages: lookups per address and per query code, submissions per address.
Identities are hashed before they become cache keys, so the cache holds no addresses or
codes in clear. A counter is a best-effort guard, not an audit record: a hit is a
read-then-write of ``(hits, window end)``, which may undercount under a race by a request
or two.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

__all__ = ["LOOKUP_PER_CODE", "LOOKUP_PER_IP", "SUBMIT_PER_IP", "Limit"]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``seconds`` window for one identity."""

    name: str
    count: int
    seconds: int

    def _key(self, identity: str) -> str:
        digest = hashlib.sha256(f"{self.name}|{identity}".encode()).hexdigest()[:32]
        return f"portal-rl:{self.name}:{digest}"

    def _read(self, key: str, now: float) -> tuple[int, float]:
        """(hits, window end) of the current window; (0, now + seconds) for a new one."""
        value = cache.get(key)
        if isinstance(value, tuple) and len(value) == 2 and float(value[1]) > now:
            return int(value[0]), float(value[1])
        return 0, now + self.seconds

    def exceeded(self, identity: str) -> bool:
        """Has ``identity`` used up its hits in the current window?"""
        return self._read(self._key(identity), time.time())[0] >= self.count

    def hit(self, identity: str) -> int:
        """Count one hit; return the number of hits in the window so far.

        One read and one write of ``(hits, window end)``; the entry expires with its
        window, which a hit never extends (``incr`` would reset the cache timeout).
        """
        key = self._key(identity)
        now = time.time()
        hits, ends = self._read(key, now)
        cache.set(key, (hits + 1, ends), max(1, math.ceil(ends - now)))
        return hits + 1

    def reset(self, identity: str) -> None:
        cache.delete(self._key(identity))


# Every lookup attempt from one address (a village office shares one address, so the
# window is generous); failed attempts per query code (unknown and wrong count alike, so
# the limit is no oracle); submissions per address.
LOOKUP_PER_IP = Limit("lookup-ip", 30, 10 * 60)
LOOKUP_PER_CODE = Limit("lookup-code", 5, 60 * 60)
SUBMIT_PER_IP = Limit("submit-ip", 10, 60 * 60)
