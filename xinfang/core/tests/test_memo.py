"""The per-process memo in front of the shared cache: bounded, forgets by tag, computes once."""

from __future__ import annotations

from django.core.cache import cache

from xinfang.core.memo import ProcessMemo


def test_the_memo_keeps_only_its_last_values() -> None:
    memo: ProcessMemo[int] = ProcessMemo(2)
    memo.remember("a", 1)
    memo.remember("b", 2)
    memo.get("a")
    memo.remember("a", 1)
    memo.remember("c", 3)
    assert memo.get("b") is None and memo.get("a") == 1 and memo.get("c") == 3


def test_forgetting_a_tag_drops_only_its_values() -> None:
    memo: ProcessMemo[str] = ProcessMemo(8)
    memo.remember("p1:v1", "x", tag=1)
    memo.remember("p2:v1", "y", tag=2)
    memo.forget(1)
    assert memo.get("p1:v1") is None and memo.get("p2:v1") == "y"


def test_a_value_is_computed_once_and_shared_through_the_cache(db) -> None:
    calls: list[int] = []
    first: ProcessMemo[int] = ProcessMemo(4)
    assert first.through_cache("memo-test", lambda: calls.append(1) or 42, 60) == 42
    assert first.through_cache("memo-test", lambda: calls.append(1) or 0, 60) == 42
    # Another process (a fresh memo) reads the shared cache instead of computing again.
    assert ProcessMemo[int](4).through_cache("memo-test", lambda: 0, 60) == 42
    assert calls == [1]
    cache.delete("memo-test")


def test_a_packed_value_is_stored_compressed_and_read_back_whole(db) -> None:
    import numpy as np

    value = {"ids": list(range(1000)), "counts": np.arange(9000, dtype=np.int32).reshape(-1, 9)}
    first: ProcessMemo[dict] = ProcessMemo(4)
    first.through_cache("memo-packed", lambda: value, 60, packed=True)
    stored = cache.get("memo-packed")
    assert not isinstance(stored, dict)  # the shared cache holds the packed form
    again = ProcessMemo[dict](4).through_cache("memo-packed", lambda: {}, 60, packed=True)
    assert again["ids"] == value["ids"] and np.array_equal(again["counts"], value["counts"])
    cache.delete("memo-packed")
