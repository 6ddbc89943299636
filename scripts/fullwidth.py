"""Make half-width punctuation in Chinese text full-width in templates and Python strings.

    python -m scripts.fullwidth                 (the whole tree: xinfang/**/*.py, *.html, *.txt)
    python -m scripts.fullwidth FILE...         (these files)
    python -m scripts.fullwidth --check [FILE...]  (lists what would change; exit 1 if any)

The rule is :func:`xinfang.documents.punctuation.fullwidth`'s (GB/T 15834-2011): a mark
``,:;?!()`` next to a Chinese character or mark becomes ``，：；？！（）``, brackets in pairs;
``10:30``, ``1,000``, ``(a)`` between Latin letters and digits stay. A space after a full-width
``，：；？！`` or between Chinese and ``（`` goes (the mark carries its own spacing). The run is
deterministic and idempotent (each text is converted until it no longer changes), so it can be
re-run on a merged tree.

What is Chinese text, and what is never touched:

- Templates: the text between tags and the values of the text attributes ``title``,
  ``placeholder``, ``alt``, ``aria-label``, ``hx-confirm``, ``data-confirm``. Never a tag's
  other parts, ``{{ … }}``, ``{% … %}``, ``{# … #}``, ``<style>``, ``<script>`` or a comment;
  a template tag counts as no character when a mark's neighbours are looked at, so
  ``编号{{ n }})一事`` becomes ``编号{{ n }}）一事``.
- Python: string literals with a Chinese character, outside f-string and ``str.format``
  fields (``{x:.2f}``), ``%(name)s`` / ``%s`` placeholders, URLs and HTML tags. Never bytes,
  raw strings (regular expressions), triple-quoted strings (docstrings and long texts),
  the pattern of a ``re.*`` call, a subscript key (``row["列名"]``), a dict display's key
  (data keys such as column headers and rulebook keys), or a literal that is English prose
  with some Chinese words in it (an English system-check message naming a Chinese menu),
  or CSV rows (an empty cell ``,,``, or two lines of comma-separated cells: importer data).
- :data:`KEEP`: texts that must stay as they are wherever they appear (a syntax shown to
  the user, such as YAML's ``键: 值``); and the literals of a Python line ending in the
  comment ``# fullwidth: keep`` (a test that types half-width marks on purpose), and every
  literal of a file with a comment ``# fullwidth: keep-file`` (the script's own test cases).
- Files: only ``.py``, ``.html`` and ``.txt`` under ``xinfang/``; ``static/`` (JavaScript,
  vendored code), data files (YAML rulebooks, CSV, JSON) and Markdown are never read.
"""

from __future__ import annotations

import io
import keyword
import re
import sys
import tokenize
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file, not with -m
    sys.path.insert(0, str(ROOT))

from xinfang.documents.punctuation import fullwidth, is_cjk  # noqa: E402

__all__ = [
    "KEEP",
    "PRAGMA",
    "convert_python",
    "convert_template",
    "convert_text",
    "main",
    "tree_files",
]

# Texts that stay half-width wherever they stand: syntax the user must type as shown.
KEEP = ("键: 值",)
# A Python line ending in this comment keeps its literals (a test typing half-width on purpose).
PRAGMA = "fullwidth: keep"

_KEEP_RE = re.compile("|".join(re.escape(k) for k in KEEP))
_URL = r"https?://[^\s\"'<>]*"
_TEMPLATE_SYNTAX = r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}"
_HTML_BLOCKS = re.compile(
    r"<style.*?</style>|<script.*?</script>|<!--.*?-->|" + _TEMPLATE_SYNTAX + r"|<[^>]*>", re.S
)
_IN_TEMPLATE_TEXT = re.compile(_TEMPLATE_SYNTAX + "|" + _URL, re.S)
_IN_TEMPLATE = re.compile(_HTML_BLOCKS.pattern + "|" + _URL, re.S)
_TEXT_ATTRIBUTE = re.compile(
    r"""(?<![\w-])(title|placeholder|alt|aria-label|hx-confirm|data-confirm)(\s*=\s*)("[^"]*"|'[^']*')""",
    re.I,
)
_IN_PYTHON_STRING = re.compile(
    r"\{(?:[^{}]|\{[^{}]*\})*\}"  # f-string / str.format field, one level of nesting
    r"|%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGcoa%]"  # %-placeholder
    r"|<[^<>]*>"  # an HTML tag in a format_html string
    r"|\\[\\'\"abfnrtv0-7xuUN]"  # an escape sequence
    r"|" + _URL,
    re.S,
)
_REGEX_CALLS = frozenset(
    {"compile", "match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer"}
)
_SPACE_AFTER = re.compile(r"(?<=[，：；？！]) +")
_SPACE_BEFORE = re.compile(r"(?<=[\u3400-\u9fff]) +(?=（)")
# A word, not part of an identifier, option, path or dotted name (``--from``, ``id,lon``).
_ENGLISH_WORD = re.compile(r"(?<![\w.\-/])[A-Za-z]+(?![\w.\-/])")
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "be",
        "by",
        "for",
        "from",
        "if",
        "in",
        "is",
        "it",
        "not",
        "of",
        "on",
        "or",
        "that",
        "the",
        "then",
        "this",
        "to",
        "was",
        "with",
    ]
)


def _spans(text: str, protected: re.Pattern[str]) -> list[tuple[int, int]]:
    spans = [m.span() for m in protected.finditer(text)]
    spans += [m.span() for m in _KEEP_RE.finditer(text)] if KEEP else []
    return spans


def _is_english(text: str, spans: list[tuple[int, int]]) -> bool:
    """English prose with a few Chinese words: two or more English function words."""
    plain = list(text)
    for a, b in spans:
        plain[a:b] = " " * (b - a)
    words = {w.lower() for w in _ENGLISH_WORD.findall("".join(plain))}
    return len(words & _FUNCTION_WORDS) >= 2


def _is_csv(text: str) -> bool:
    """CSV rows (test data of an importer): an empty cell, or two comma-separated lines."""
    lines = [line for line in re.split(r"\\n|\n", text) if "," in line]
    return ",," in text or (len(lines) >= 2 and any(line.count(",") >= 2 for line in lines))


def _tidy_spaces(text: str, protected: re.Pattern[str]) -> str:
    """No space after a full-width ，：；？！ nor between Chinese and （ (outside ``protected``)."""
    spans = _spans(text, protected)
    inside = bytearray(len(text))
    for a, b in spans:
        inside[a:b] = b"\x01" * (b - a)
    drop: set[int] = set()
    for pattern in (_SPACE_AFTER, _SPACE_BEFORE):
        for m in pattern.finditer(text):
            if not any(inside[m.start() : m.end()]) and m.end() < len(text):
                drop.update(range(m.start(), m.end()))
    return "".join(ch for i, ch in enumerate(text) if i not in drop)


def convert_text(text: str, protected: re.Pattern[str] = _IN_TEMPLATE_TEXT) -> str:
    """``text`` with the rule applied until it no longer changes (idempotent)."""
    for _ in range(10):
        spans = _spans(text, protected)
        if _is_english(text, spans):
            return text
        new = _tidy_spaces(fullwidth(text, spans), protected)
        if new == text:
            return text
        text = new
    raise RuntimeError(f"no fixed point for {text!r}")


def _convert_attributes(tag: str) -> str:
    def one(m: re.Match[str]) -> str:
        quoted = m.group(3)
        return m.group(1) + m.group(2) + quoted[0] + convert_text(quoted[1:-1]) + quoted[-1]

    return _TEXT_ATTRIBUTE.sub(one, tag)


def convert_template(text: str) -> str:
    def tag(m: re.Match[str]) -> str:
        block = m.group(0)
        if block.startswith("<") and not block.startswith(("<!--", "<style", "<script")):
            return _convert_attributes(block)
        return block

    text = _HTML_BLOCKS.sub(tag, text)
    # The text between tags: tags, template syntax, styles, scripts and URLs are protected.
    for _ in range(10):
        new = _tidy_spaces(fullwidth(text, _spans(text, _IN_TEMPLATE)), _IN_TEMPLATE)
        if new == text:
            return text
        text = new
    raise RuntimeError("no fixed point for a template")


def _significant(tokens: list[tokenize.TokenInfo]) -> list[tokenize.TokenInfo]:
    skip = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    return [t for t in tokens if t.type not in skip]


def _is_operand(tok: tokenize.TokenInfo) -> bool:
    """``tok`` ends an expression, so a ``[`` after it opens a subscript."""
    if tok.type == tokenize.NAME:
        return not keyword.iskeyword(tok.string) or tok.string in {"None", "True", "False"}
    return tok.type == tokenize.STRING or tok.string in {")", "]"}


def _literal_kept(tokens: list[tokenize.TokenInfo], i: int, brackets: list[str]) -> bool:
    """A literal that is syntax or a data key, whatever its text (see the module docstring)."""
    tok = tokens[i]
    prefix = re.match(r"[rRbBuUfF]*", tok.string)
    letters = prefix.group(0).lower() if prefix else ""
    if "b" in letters or "r" in letters:
        return True
    if tok.string[len(letters) :].startswith(('"""', "'''")):
        return True
    prev = tokens[i - 1].string if i >= 1 else ""
    nxt = tokens[i + 1].string if i + 1 < len(tokens) else ""
    if prev == "(" and i >= 2 and tokens[i - 2].string in _REGEX_CALLS:
        return True
    if prev == "[" and nxt == "]" and i >= 2 and _is_operand(tokens[i - 2]):
        return True  # row["列名"]; a one-item list ["…"] is text
    return bool(brackets) and brackets[-1] == "{" and nxt == ":"


def convert_python(source: str) -> str:
    every = list(tokenize.generate_tokens(io.StringIO(source).readline))
    comments = [t for t in every if t.type == tokenize.COMMENT and PRAGMA in t.string]
    if any(f"{PRAGMA}-file" in t.string for t in comments):
        return source
    kept_lines = {t.start[0] for t in comments}
    tokens = _significant(every)
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits: list[tuple[int, int, str]] = []
    brackets: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in "([{":
            brackets.append(tok.string)
        elif tok.type == tokenize.OP and tok.string in ")]}" and brackets:
            brackets.pop()
        if tok.type != tokenize.STRING or not any(is_cjk(ch) for ch in tok.string):
            continue
        if _literal_kept(tokens, i, brackets) or tok.end[0] in kept_lines:
            continue
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1]
        literal = source[start:end]
        if _is_csv(literal):
            continue
        new = convert_text(literal, _IN_PYTHON_STRING)
        if new != literal:
            edits.append((start, end, new))
    for start, end, new in reversed(edits):
        source = source[:start] + new + source[end:]
    return source


def tree_files(root: Path = ROOT) -> list[Path]:
    """The files of the sweep: Python, templates and text templates under ``xinfang/``."""
    package = root / "xinfang"
    return sorted(
        p
        for suffix in ("*.py", "*.html", "*.txt")
        for p in package.rglob(suffix)
        if "static" not in p.relative_to(package).parts
    )


def converter(path: Path) -> Callable[[str], str]:
    return convert_python if path.suffix == ".py" else convert_template


def main(argv: Iterable[str]) -> int:
    args = list(argv)
    check = "--check" in args
    names = [a for a in args if a != "--check"]
    paths = [Path(n) for n in names] if names else tree_files()
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = converter(path)(text)
        if new != text:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path)
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
