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


def test_imports_point_down() -> None:
    upward = []
    for path in _modules():
        source = _app(path)
        if source not in LAYER:
            continue
        for name in _imports(path):
            bits = name.split(".")
            if bits[0] != "xinfang" or len(bits) < 2 or bits[1] == source:
                continue
            target = bits[1]
            if target in LAYER and LAYER[target] >= LAYER[source]:
                upward.append(f"{path.relative_to(ROOT)} imports {name}")
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
    # The scan itself: a module of core importing org is found.
    probe = tmp_path / "probe.py"
    probe.write_text("from xinfang.org.models import Unit\n")
    assert "xinfang.org.models" in _imports(probe)
