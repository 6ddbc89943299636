"""The live counter a page polls: written atomically, read back with each phase's span."""

from __future__ import annotations

from pathlib import Path

from xinfang.core.progress import ProgressFile


def test_the_counter_reads_back_what_the_work_wrote_within_its_phases_span(
    tmp_path: Path,
) -> None:
    counter = ProgressFile(tmp_path / "job.progress", interval=0)
    assert counter.read() is None  # not started
    counter(50, 200, "import")
    spans = {"check": (0, 20), "import": (20, 80)}
    live = counter.read(spans)
    assert live is not None
    assert (live.processed, live.total, live.phase, live.percent) == (50, 200, "import", 40)
    counter(100, 200, "check")
    assert counter.read(spans).percent == 10  # type: ignore[union-attr]
    assert counter.read().percent == 50  # type: ignore[union-attr]  # no spans: the whole bar
    counter.clear()
    assert counter.read() is None


def test_the_counter_is_rewritten_at_most_every_interval_but_always_at_the_end(
    tmp_path: Path,
) -> None:
    counter = ProgressFile(tmp_path / "job.progress", interval=3600)
    counter(1, 10, "单位")
    counter(5, 10, "人员")  # within the interval: skipped
    assert counter.read().processed == 1  # type: ignore[union-attr]
    counter(10, 10, "完成")  # the last one always lands
    assert (counter.read().processed, counter.read().phase) == (10, "完成")  # type: ignore[union-attr]
