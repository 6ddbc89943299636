"""Make half-width punctuation in Chinese text full-width in templates and Python strings.

    python -m scripts.fullwidth FILE...        (rewrites the files in place)
    python -m scripts.fullwidth --check FILE... (lists what would change; exit 1 if any)

Templates: only the text between tags changes (never a tag, ``{{ … }}``, ``{% … %}``,
``<style>`` or ``<script>``); a template tag counts as no character when looking at a mark's
neighbours, so ``编号{{ n }})一事`` becomes ``编号{{ n }}）一事``. Python: only string literals
with a Chinese character, outside f-string ``{…}`` fields and ``%(…)s`` placeholders. The
rule itself is :func:`xinfang.documents.punctuation.fullwidth`'s: a mark next to Chinese.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path

from xinfang.documents.punctuation import fullwidth, is_cjk

_HTML_PROTECTED = re.compile(
    r"<style.*?</style>|<script.*?</script>|<!--.*?-->|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<[^>]*>",
    re.S,
)
_PY_PROTECTED = re.compile(r"\{[^{}]*\}|%\([^)]*\)[a-z]|%[sd]")


def _convert(text: str, protected: re.Pattern[str]) -> str:
    return fullwidth(text, [m.span() for m in protected.finditer(text)])


def convert_template(text: str) -> str:
    return _convert(text, _HTML_PROTECTED)


def _has_cjk(s: str) -> bool:
    return any(is_cjk(ch) and not ch.isspace() for ch in s)


def convert_python(source: str) -> str:
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits: list[tuple[int, int, str]] = []
    fstring_parts: list[tokenize.TokenInfo] = []
    for tok in tokens:
        kind = tok.type
        middle = getattr(tokenize, "FSTRING_MIDDLE", None)
        if kind == tokenize.STRING or (middle is not None and kind == middle):
            fstring_parts.append(tok)
    for tok in fstring_parts:
        if not _has_cjk(tok.string):
            continue
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        literal = source[start:end]
        prefix = re.match(r"[rRbBuUfF]*", literal)
        if prefix and "b" in prefix.group(0).lower():
            continue
        if prefix and "r" in prefix.group(0).lower() and "\\" in literal:
            continue  # a regular expression: its marks are syntax
        body = literal[len(prefix.group(0)) if prefix else 0 :]
        if body.startswith(('"""', "'''")):
            continue  # docstrings and long texts stay as written
        new = _convert(literal, _PY_PROTECTED)
        if new != literal:
            edits.append((start, end, new))
    for start, end, new in reversed(edits):
        source = source[:start] + new + source[end:]
    return source


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = []
    for name in (a for a in argv if a != "--check"):
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        new = convert_python(text) if path.suffix == ".py" else convert_template(text)
        if new != text:
            changed.append(name)
            if not check:
                path.write_text(new, encoding="utf-8")
    for name in changed:
        print(name)
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
