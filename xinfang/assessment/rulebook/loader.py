"""Load a rulebook from YAML, reporting errors by file, line and field.

PyYAML forgets where things were once it has built Python objects, so the loader
builds mappings as :class:`_Located` dicts that remember the line of every key and
sequences as :class:`_LocatedList` that remember the line of every element. When
pydantic refuses the data, each error's ``loc`` path is walked through those
objects to find the nearest line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from xinfang.assessment.errors import RulebookNotFound, RulebookSyntaxError
from xinfang.assessment.rulebook.schema import Rulebook

__all__ = ["SHIPPED_DIR", "load_rulebook", "resolve_rulebook", "shipped_names"]

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "rulebooks"


class _Located(dict[Any, Any]):
    """A mapping that knows its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class _LocatedList(list[Any]):
    """A sequence that knows its own line and each element's line (1-based)."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader recording line numbers of mappings, keys and sequence elements."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Located:
    loader.flatten_mapping(node)
    mapping = _Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            # YAML silently keeps the last duplicate; in a rulebook that hides a mistake.
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的键 {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _LocatedList:
    seq = _LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    seq.item_lines = [child.start_mark.line + 1 for child in node.value]
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int:
    """The line of the deepest element of ``loc`` that exists in ``data``."""
    line = getattr(data, "line", 1)
    node = data
    for part in loc:
        if isinstance(node, _Located) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, _LocatedList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
        line = max(line, getattr(node, "line", line)) if isinstance(node, _Located) else line
    return line


def _field_path(data: Any, loc: tuple[int | str, ...]) -> str:
    """A readable field path: ``sections[2].items[3](code 1.2b).points``."""
    out: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and "code" in node:
                out.append(f"(code {node['code']})")
        else:
            out.append(("." if out else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(out)


def load_rulebook(path: str | Path) -> Rulebook:
    """Parse and validate one rulebook file; raise RulebookSyntaxError listing all problems."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulebookNotFound(f"无法读取考核细则文件 {path}: {exc.strerror}") from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 — _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulebookSyntaxError(str(path), [f"{path}:{line}: YAML 格式错误: {problem}"]) from exc
    if not isinstance(data, dict):
        raise RulebookSyntaxError(str(path), [f"{path}:1: 文件内容必须是一个映射(键: 值)"])
    try:
        return Rulebook.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function"))
            )
            problems.append(
                f"{path}:{_line_of(data, loc)}: {_field_path(data, loc) or '(顶层)'}: {err['msg']}"
            )
        raise RulebookSyntaxError(str(path), problems) from exc


def shipped_names() -> list[str]:
    """The names of the rulebooks shipped with Xinfang."""
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))


def resolve_rulebook(name_or_path: str) -> Path:
    """A shipped rulebook's file for its name, or the path given if it is a file."""
    shipped = SHIPPED_DIR / f"{name_or_path}.yaml"
    if "/" not in name_or_path and shipped.is_file():
        return shipped
    path = Path(name_or_path)
    if path.is_file():
        return path
    raise RulebookNotFound(
        f"找不到考核细则 “{name_or_path}”:既不是内置细则({', '.join(shipped_names())}),"
        "也不是存在的文件"
    )
