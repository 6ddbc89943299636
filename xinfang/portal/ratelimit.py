"""Fixed-window counters in the Django cache (the database cache table by default).

Used by the public pages: lookups per address and per query code, submissions per address.
Identities are hashed before they become cache keys, so the cache holds no addresses or
codes in clear. A counter is a best-effort guard, not an audit record: the database cache's
``incr`` is a read-then-write, which may undercount under a race by a request or two.
"""

from __future__ import annotations

import hashlib
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

    def exceeded(self, identity: str) -> bool:
        """Has ``identity`` used up its hits in the current window?"""
        return int(cache.get(self._key(identity), 0)) >= self.count

    def hit(self, identity: str) -> int:
        """Count one hit; return the number of hits in the window so far."""
        key = self._key(identity)
        if cache.add(key, 1, self.seconds):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.seconds)
            return 1

    def reset(self, identity: str) -> None:
        cache.delete(self._key(identity))


# Every lookup attempt from one address (a village office shares one address, so the
# window is generous); failed attempts per query code (unknown and wrong count alike, so
# the limit is no oracle); submissions per address.
LOOKUP_PER_IP = Limit("lookup-ip", 30, 10 * 60)
LOOKUP_PER_CODE = Limit("lookup-code", 5, 60 * 60)
SUBMIT_PER_IP = Limit("submit-ip", 10, 60 * 60)
