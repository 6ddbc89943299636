"""Full-width punctuation in Chinese text (GB/T 15834-2011 《标点符号用法》).

Chinese text takes the full-width marks ，：；？！（）; a half-width mark typed into Chinese
(a handler's reasons, a pasted text) is made full-width when a Chinese character or mark
stands next to it. Marks between Latin letters and digits (``10:30``, ``(a)``, ``1,000``)
are left alone.
"""

from __future__ import annotations

import re
from typing import Any

from xinfang.core.punctuation import FULL_WIDTH

__all__ = ["FULL_WIDTH", "fullwidth", "fullwidth_data", "is_cjk"]


_CJK = (
    "\u3000-\u303f"  # CJK symbols and punctuation (、。〈〉《》「」【】〔〕)
    "\u3400-\u4dbf\u4e00-\u9fff"  # ideographs
    "\uff00-\uffef"  # full-width forms
    "\u201c\u201d\u2018\u2019\u2014\u2026"  # “”‘’—…
)
_CJK_RE = re.compile(f"[{_CJK}]")
_MARKS = frozenset(FULL_WIDTH)


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.match(ch))


def fullwidth(text: str, protected: list[tuple[int, int]] | None = None) -> str:
    """``text`` with each half-width mark next to Chinese made full-width.

    ``protected`` spans (template tags, format fields) never change and count as no
    character when a mark's neighbours are looked at. Brackets go in pairs: when one of a
    pair turns full-width, so does the other (``文书(PDF)`` → ``文书（PDF）``).
    """
    if not text or not any(ch in _MARKS for ch in text):
        return text
    inside = bytearray(len(text))
    for a, b in protected or ():
        inside[a:b] = b"\x01" * (b - a)

    def neighbour(i: int, step: int) -> str:
        while 0 <= i < len(text):
            if not inside[i]:
                return text[i]
            i += step
        return ""

    marks = [i for i, ch in enumerate(text) if ch in _MARKS and not inside[i]]
    convert = set()
    for i in marks:
        # A run of marks ("))", "),") follows the neighbours of the whole run.
        a = i
        while a > 0 and text[a - 1] in _MARKS and not inside[a - 1]:
            a -= 1
        b = i + 1
        while b < len(text) and text[b] in _MARKS and not inside[b]:
            b += 1
        if is_cjk(neighbour(a - 1, -1)) or is_cjk(neighbour(b, 1)):
            convert.add(i)
    stack: list[int] = []
    for i in marks:
        if text[i] == "(":
            stack.append(i)
        elif text[i] == ")" and stack:
            opening = stack.pop()
            if opening in convert or i in convert:
                convert |= {opening, i}
    return "".join(FULL_WIDTH[ch] if i in convert else ch for i, ch in enumerate(text))


def fullwidth_data(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists) with :func:`fullwidth` applied."""
    if isinstance(value, str):
        return fullwidth(value)
    if isinstance(value, dict):
        return {k: fullwidth_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [fullwidth_data(v) for v in value]
    return value
