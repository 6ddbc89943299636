"""A live counter beside a long piece of work (an import), which a page polls for its
percentage.

The work's progress callback (``progress(done, total, phase)``) writes a small file; a
request reads it. The counter is a file, not a row: the work runs in one transaction,
which holds what it writes until it commits — a counter written there would be invisible
to the page — and on SQLite no other connection may write while it runs. The file is
replaced atomically, at most a few times a second.

``spans`` give each phase its stretch of the bar (checking every row the first fifth,
entering them the rest, say); a phase without one spans the whole bar.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Progress", "ProgressFile"]

INTERVAL = 0.2  # seconds: the file is rewritten at most this often


@dataclass(frozen=True)
class Progress:
    processed: int
    total: int
    phase: str
    moved_at: float  # the epoch second the counter last moved
    spans: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    @property
    def percent(self) -> int:
        """The share done, within the phase's span of the bar (0–100)."""
        if not self.total:
            return 0
        start, span = self.spans.get(self.phase, (0, 100))
        return int(start + span * min(self.processed, self.total) / self.total)


class ProgressFile:
    """The counter file at ``path``: call it as the work's progress callback, ``read()``
    it from the page."""

    def __init__(self, path: str | Path, *, interval: float = INTERVAL) -> None:
        self.path = Path(path)
        self.interval = interval
        self.last: float | None = None  # the first count is always written

    def __call__(self, done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.interval and done < total:
            return
        self.last = now
        tmp = self.path.with_name(self.path.name + ".tmp")
        # The phase is one word of the file: a label with spaces would not read back.
        tmp.write_text(f"{done} {total} {'_'.join(phase.split()) or '-'} {time.time():.0f}")
        os.replace(tmp, self.path)

    def read(self, spans: Mapping[str, tuple[int, int]] | None = None) -> Progress | None:
        """The counter as last written, or ``None`` when there is none (not started,
        cleared, or unreadable)."""
        try:
            done, total, phase, moved = self.path.read_text().split()
            return Progress(
                int(done), int(total), "" if phase == "-" else phase, float(moved), spans or {}
            )
        except (OSError, ValueError):
            return None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
