"""YAML that remembers where things were, so validation errors can name the line.

PyYAML forgets where things were once it has built Python objects, so :func:`load_located`
builds mappings as :class:`Located` dicts that remember the line of every key and
sequences as :class:`LocatedList` that remember the line of every element. When pydantic
refuses the data, each error's ``loc`` path is walked through those objects
(:func:`line_of`) to find the nearest line, and :func:`field_path` spells the path for a
person. Used by the rulebook loader (assessment) and the holiday notice (core).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from xinfang.core.errors import XinfangError

__all__ = [
    "Located",
    "LocatedList",
    "YamlSyntaxError",
    "field_path",
    "line_of",
    "load_located",
    "validation_errors",
]


class YamlSyntaxError(XinfangError):
    """The text is not YAML (or repeats a key); ``line`` is 1-based, 0 when unknown."""

    def __init__(self, line: int, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(f"{line}: YAML 格式错误：{problem}")


class Located(dict[Any, Any]):
    """A mapping that knows its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LocatedList(list[Any]):
    """A sequence that knows its own line and each element's line (1-based)."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader recording line numbers of mappings, keys and sequence elements."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            # YAML silently keeps the last duplicate; in a data file that hides a mistake.
            raise yaml.constructor.ConstructorError(
                None, None, f"重复的键 {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LocatedList:
    seq = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    seq.item_lines = [child.start_mark.line + 1 for child in node.value]
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_located(text: str) -> Any:
    """Parse ``text``; mappings and sequences come back as :class:`Located` objects."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 — _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(line, problem) from exc


def line_of(data: Any, loc: tuple[int | str, ...]) -> int:
    """The line of the deepest element of ``loc`` that exists in ``data``."""
    line = getattr(data, "line", 1)
    node = data
    for part in loc:
        if isinstance(node, Located) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LocatedList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
        line = max(line, getattr(node, "line", line)) if isinstance(node, Located) else line
    return line


def field_path(data: Any, loc: tuple[int | str, ...], *, label_key: str = "") -> str:
    """A readable field path: ``sections[2].items[3](code 1.2b).points``.

    An element of a list that has ``label_key`` is named by it, so a person finds it by
    what it says rather than by counting.
    """
    out: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if label_key and isinstance(node, dict) and label_key in node:
                out.append(f"({label_key} {node[label_key]})")
        else:
            out.append(("." if out else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(out)


def validation_errors(exc: ValidationError) -> Iterator[tuple[tuple[int | str, ...], ErrorDetails]]:
    """Each pydantic error with its ``loc`` stripped of validator names (``function-…``)."""
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function")))
        yield loc, err
