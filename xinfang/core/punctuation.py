"""The half- and full-width forms of Chinese punctuation (GB/T 15834-2011).

The UI writes ``，：；？！（）`` in Chinese text (``scripts/fullwidth.py``; documents apply
:func:`xinfang.documents.punctuation.fullwidth` to their data). Files typed elsewhere use
either form, so an importer compares values with :func:`loose`: ``县(区)`` and ``县（区）``
name the same level.
"""

from __future__ import annotations

__all__ = ["FULL_WIDTH", "loose"]

FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}

_TO_HALF = str.maketrans({full: half for half, full in FULL_WIDTH.items()})


def loose(text: str) -> str:
    """``text`` with the full-width marks half-width: the key to compare typed values by."""
    return text.translate(_TO_HALF)
