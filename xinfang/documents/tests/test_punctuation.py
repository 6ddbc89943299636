"""Chinese text takes full-width punctuation (GB/T 15834-2011), in documents and on pages.

The pages of the documents and portal apps are held to it here: a half-width ``,:;?!()``
next to a Chinese character in a template's text or a Python string literal fails, with the
place to fix (``python -m scripts.fullwidth FILE`` fixes it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import xinfang
from xinfang.documents.punctuation import fullwidth

ROOT = Path(xinfang.__file__).parent
CHECKED_APPS = ("documents", "portal")


def _script() -> object:
    sys.path.insert(0, str(ROOT.parent))
    try:
        from scripts import fullwidth as script
    finally:
        sys.path.pop(0)
    return script


def test_documents_and_portal_text_uses_full_width_punctuation() -> None:
    script = _script()
    offenders = []
    for app in CHECKED_APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if "tests" in path.parts or "migrations" in path.parts or path.name == "models.py":
                continue
            if path.suffix == ".html":
                convert = script.convert_template  # type: ignore[attr-defined]
            elif path.suffix == ".py":
                convert = script.convert_python  # type: ignore[attr-defined]
            else:
                continue
            text = path.read_text(encoding="utf-8")
            if convert(text) != text:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_marks_next_to_chinese_turn_full_width_in_pairs() -> None:
    assert fullwidth("期限:2026年3月2日(星期一);逾期的,应说明理由?") == (  # fullwidth: keep
        "期限：2026年3月2日（星期一）；逾期的，应说明理由？"
    )
    assert fullwidth("时间 10:30, 编号 (A)") == "时间 10:30, 编号 (A)"
