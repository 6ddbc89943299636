"""Load a rulebook from YAML, reporting errors by file, line and field.

The line numbers come from :mod:`xinfang.core.yaml_lines`, shared with the holiday notice.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from xinfang.assessment.errors import RulebookNotFound, RulebookSyntaxError
from xinfang.assessment.rulebook.schema import Rulebook
from xinfang.core.yaml_lines import (
    YamlSyntaxError,
    field_path,
    line_of,
    load_located,
    validation_errors,
)

__all__ = [
    "SHIPPED_DIR",
    "load_rulebook",
    "parse_rulebook",
    "resolve_rulebook",
    "shipped_names",
]

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "rulebooks"


def load_rulebook(path: str | Path) -> Rulebook:
    """Parse and validate one rulebook file; raise RulebookSyntaxError listing all problems."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulebookNotFound(f"无法读取考核细则文件 {path}：{exc.strerror}") from exc
    return parse_rulebook(text, str(path))


def parse_rulebook(text: str, path: str = "细则") -> Rulebook:
    """Parse and validate a rulebook's text (a stored or uploaded copy); ``path`` names it
    in the messages."""
    try:
        data = load_located(text)
    except YamlSyntaxError as exc:
        raise RulebookSyntaxError(
            path, [f"{path}:{exc.line}: YAML 格式错误：{exc.problem}"]
        ) from exc
    if not isinstance(data, dict):
        raise RulebookSyntaxError(path, [f"{path}:1: 文件内容必须是一个映射（键: 值）"])
    try:
        return Rulebook.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}:{line_of(data, loc)}: "
            f"{field_path(data, loc, label_key='code') or '(顶层)'}: {err['msg']}"
            for loc, err in validation_errors(exc)
        ]
        raise RulebookSyntaxError(path, problems) from exc


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
        f"找不到考核细则 “{name_or_path}”：既不是内置细则（{', '.join(shipped_names())}），"
        "也不是存在的文件"
    )
