"""Dictionary-encoding the facts' subject and item columns: exact, a few vectorised passes.

A Polars ``Categorical``/``Enum`` cast looks every one of 10⁷ strings up in a string hash
map (about 10 ns a row). The same codes come cheaper from three flat passes:

1. hash the column (``Series.hash``, about 1 ns a row);
2. map each hash to a dense code through a small direct-address table (numpy): the
   table is indexed by the low bits of the hash; the few hashes that share a slot are
   resolved by a binary search;
3. compare every value with the value its code stands for (one vectorised equality).

Step 3 makes the encoding exact rather than probabilistic: two different values with
the same 64-bit hash can only make the comparison fail, and then the caller falls back
to the Categorical/Enum cast. Subjects are coded in order of first appearance (as the
Categorical cast does); items get their index in the rulebook's code list.
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["CHUNK", "dense_codes", "lookup_codes"]

# Above this many distinct values the direct-address table stops fitting in cache and
# the Categorical cast is as good.
MAX_DISTINCT = 1 << 20
# Rows per slice: the slice's hashes and compared values stay within a few MB.
CHUNK = 1 << 20


def _lookup(hashes: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each of ``hashes``, the position of its key in ``keys`` (int32), or -1.

    A candidate only: the callers compare values. ``keys`` are distinct. The table has
    ≥ 64 slots per key, so few keys share a slot; rows falling on a shared slot are
    resolved by binary search over the sorted keys.
    """
    m = len(keys)
    bits = max(m.bit_length() + 6, 8)
    mask = np.uint64((1 << bits) - 1)
    # Masked hashes are < 2**bits, so reading them as int64 (no copy) is exact.
    slot_keys = (keys & mask).view(np.int64)
    table = np.full(1 << bits, -1, dtype=np.int32)
    table[slot_keys] = np.arange(m, dtype=np.int32)
    shared = slot_keys[np.bincount(slot_keys, minlength=1 << bits)[slot_keys] > 1]
    table[shared] = -2
    # A row landing on a slot held by one key gets that key's position even if its
    # hash differs in the high bits: the callers' value comparison catches that.
    found = table[(hashes & mask).view(np.int64)]
    slow = np.flatnonzero(found == -2)
    if slow.size:
        order = np.argsort(keys)
        pos = np.minimum(np.searchsorted(keys, hashes[slow], sorter=order), m - 1)
        hit = keys[order[pos]] == hashes[slow]
        found[slow] = np.where(hit, order[pos], -1)
    return found


def dense_codes(column: pl.Series) -> tuple[np.ndarray, pl.Series] | None:
    """(a code per row, the distinct values in order of first appearance), or None.

    ``codes[i]`` indexes the distinct values; None when the column has nulls, too many
    distinct values, or two distinct values share a hash (the caller then falls back to
    the Categorical cast). Runs over slices of :data:`CHUNK` rows, so that the hashes
    and the values compared stay small (no page faults on 10⁷-row temporaries).
    """
    if column.null_count() or column.len() == 0:
        return None
    codes = np.empty(column.len(), dtype=np.int32)
    keys = np.empty(0, dtype=np.uint64)
    values: list[object] = []
    distinct = pl.Series(column.name, [], dtype=column.dtype)
    for start in range(0, column.len(), CHUNK):
        part = column.slice(start, CHUNK)
        hashed = part.hash()
        hashes = hashed.to_numpy()
        found = _lookup(hashes, keys) if len(keys) else np.full(part.len(), -1, np.int32)
        if (found < 0).any():
            # values not seen before, in order of first appearance within the slice
            fresh = hashed.filter(pl.Series(found < 0)).arg_unique()
            rows = np.flatnonzero(found < 0)[fresh.to_numpy()]
            keys = np.concatenate([keys, hashes[rows]])
            if len(keys) > MAX_DISTINCT:
                return None
            values += part.gather(pl.Series(rows)).to_list()
            distinct = pl.Series(column.name, values, dtype=column.dtype)
            found = _lookup(hashes, keys)
        codes[start : start + part.len()] = found
        if not (part == distinct.gather(pl.Series(found))).all():
            return None  # a hash collision between two distinct values
    if distinct.is_duplicated().any():
        return None  # one value hashed two ways: never expected, but then not dense
    return codes, distinct


def lookup_codes(column: pl.Series, known: list[str]) -> pl.Series | None:
    """The position of each value of ``column`` (String) in ``known`` (Int32), or None.

    None when some value is not in ``known`` (or cannot be matched through its hash):
    the caller then uses the exact Enum cast, which also finds the unknown values.
    """
    if column.null_count() or column.len() == 0 or len(set(known)) != len(known):
        return None
    table = pl.Series(known, dtype=pl.String)
    keys = table.hash().to_numpy()
    out = np.empty(column.len(), dtype=np.int32)
    for start in range(0, column.len(), CHUNK):
        part = column.slice(start, CHUNK)
        found = _lookup(part.hash().to_numpy(), keys)
        if (found < 0).any() or not (part == table.gather(pl.Series(found))).all():
            return None
        out[start : start + part.len()] = found
    return pl.Series("eff", out, dtype=pl.Int32)
