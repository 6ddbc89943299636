"""Imports point down: core ← org ← shell ← petitions ← {supervision, ledgers, portal} ←
documents ← assessment. No app reaches another through importlib."""

from __future__ import annotations

import ast
from pathlib import Path

import xinfang

ROOT = Path(xinfang.__file__).parent
# Each app may import the apps of lower layers only (same layer: not each other).
LAYERS = [
    {"core"},
    {"org"},
    {"shell"},
    {"petitions"},
    {"supervision", "ledgers", "portal"},
    {"documents"},
    {"grids", "trips", "statistics"},
    {"assessment"},
]
LAYER = {app: i for i, apps in enumerate(LAYERS) for app in apps}


def _modules() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts and p.parent != ROOT
    ]


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def _app(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def _upward(source: str, names: list[str]) -> list[str]:
    """The imports of an app of ``source`` that reach its own layer or one above."""
    out = []
    for name in names:
        bits = name.split(".")
        if bits[0] != "xinfang" or len(bits) < 2 or bits[1] == source:
            continue
        if bits[1] in LAYER and LAYER[bits[1]] >= LAYER[source]:
            out.append(name)
    return out


def test_imports_point_down() -> None:
    upward = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules()
        if _app(path) in LAYER
        for name in _upward(_app(path), _imports(path))
    ]
    assert upward == []


def test_core_imports_no_other_app() -> None:
    others = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _modules()
        if _app(path) == "core"
        for name in _imports(path)
        if name.startswith("xinfang.") and name.split(".")[1] != "core"
    ]
    assert others == []


def test_no_app_reaches_another_through_importlib() -> None:
    users = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if "importlib" in {name.split(".")[0] for name in _imports(path)}
    ]
    assert users == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    # The scan itself: an import read from a file, judged by the layer rule.
    probe = tmp_path / "probe.py"
    probe.write_text("from xinfang.org.models import Unit\nfrom xinfang.core import audit\n")
    names = _imports(probe)
    assert _upward("core", names) == ["xinfang.org.models"]
    assert _upward("petitions", names) == []
    assert _upward("supervision", ["xinfang.ledgers.models"]) == ["xinfang.ledgers.models"]
