"""The scoring engine: a rulebook compiled into grouped, vectorised Polars expressions.

Pure: no ORM, no I/O. :func:`assess` takes a validated :class:`Rulebook`, a facts
DataFrame and optionally a subjects DataFrame, and returns an :class:`Assessment`.

How it stays fast (issue 4 §6): subjects and item codes are dictionary-encoded exactly
from their hashes (``encode``), every fact is checked with vectorised expressions, and
the facts are reduced to one row per (subject, item) by ``numpy.bincount`` over one
integer key (subject code × items + item index), computing only the sums the rulebook's
item kinds need; facts with tags or yearly sections take one streaming Polars
``group_by`` instead. Everything else — caps, groups, sections, rates against an
average, vetoes, grades, ranks, derived subjects — runs on that reduced frame. Python
loops run over the rulebook (items, tags, sections) or over slices of 2²⁰ facts, never
over facts.

The explanation (``lines``: every point given or taken, with why) is computed from
the same per-fact frame with cumulative sums in a deterministic order, so it is
independent of the order facts arrive in; it is skipped when ``explain=False``.

Facts columns: ``subject, item, date, quantity, value, tags, note`` and optionally
``row`` (the spreadsheet row, for messages). Subjects columns: ``subject, name,
category, lines`` and optionally ``row``.

Modules, in the order an evaluation runs:

* ``compile`` — the rulebook as a parameter table (one row per item);
* ``encode`` — subjects and item codes to dense integer codes, exactly, from hashes;
* ``validate`` — refusing bad facts and subjects with the file, row and value;
* ``reduce`` — first occurrences, item encoding, the one big reduction, raw points;
* ``score`` — item totals, sections, subjects, derived subjects, grades; ``assess``;
* ``explain`` — the lines: every point given or taken, with why.
"""

from xinfang.assessment.engine.compile import Assessment, Compiled, compile_rulebook
from xinfang.assessment.engine.reduce import SUM_COLUMNS, sums_supported
from xinfang.assessment.engine.score import assess, assess_sums

__all__ = [
    "SUM_COLUMNS",
    "Assessment",
    "Compiled",
    "assess",
    "assess_sums",
    "compile_rulebook",
    "sums_supported",
]
