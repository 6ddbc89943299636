"""Fixed-window counters in the Django cache (the database cache table by default).

Used by the public pages: lookups per address, a growing delay per (address, query code),
submissions per address.
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

__all__ = ["LOOKUP_PER_ADDRESS_AND_CODE", "LOOKUP_PER_IP", "SUBMIT_PER_IP", "Backoff", "Limit"]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``seconds`` window for one identity."""

    name: str
    count: int
    seconds: int

    def _key(self, identity: str) -> str:
        return _cache_key(self.name, identity)

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


def _cache_key(name: str, identity: str) -> str:
    digest = hashlib.sha256(f"{name}|{identity}".encode()).hexdigest()[:32]
    return f"portal-rl:{name}:{digest}"


@dataclass(frozen=True)
class Backoff:
    """A growing delay instead of a lock: after ``free`` failures of one identity, each
    further try must wait ``base`` seconds, doubled with every failure up to ``cap``; the
    count is forgotten ``forget`` seconds after the last failure."""

    name: str
    free: int
    base: int
    cap: int
    forget: int

    def _read(self, identity: str) -> tuple[int, float]:
        value = cache.get(_cache_key(self.name, identity))
        if isinstance(value, tuple) and len(value) == 2:
            return int(value[0]), float(value[1])
        return 0, 0.0

    def wait(self, identity: str) -> int:
        """Seconds before ``identity`` may try again (0: now)."""
        _failures, allowed_at = self._read(identity)
        return max(0, math.ceil(allowed_at - time.time()))

    def fail(self, identity: str) -> int:
        """Count one failure; return the delay (seconds) now imposed."""
        failures = self._read(identity)[0] + 1
        over = failures - self.free + 1
        delay = 0 if over <= 0 else min(self.cap, self.base * 2 ** min(over - 1, 20))
        cache.set(_cache_key(self.name, identity), (failures, time.time() + delay), self.forget)
        return delay

    def reset(self, identity: str) -> None:
        cache.delete(_cache_key(self.name, identity))


# Every lookup attempt from one address, against enumeration (a village office shares one
# address, so the window is generous); submissions per address.
LOOKUP_PER_IP = Limit("lookup-ip", 30, 10 * 60)
SUBMIT_PER_IP = Limit("submit-ip", 10, 60 * 60)
# Failed lookups of one query code from one address (unknown and wrong codes alike, so the
# delay is no oracle): 3 free tries, then 30 s, 60 s, 2 min … up to 15 min. Per address so
# that someone who knows a code cannot lock its owner out: a lock per code let five wrong
# tries from anywhere shut the petitioner out of their own matter for an hour.
LOOKUP_PER_ADDRESS_AND_CODE = Backoff(
    "lookup-ip-code", free=3, base=30, cap=15 * 60, forget=24 * 60 * 60
)
