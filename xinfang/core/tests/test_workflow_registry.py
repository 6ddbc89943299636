"""Every status belongs to the one workflow engine (issue 11, item 1).

Two checks: every model with a ``status`` field has a :class:`~xinfang.core.workflow.Workflow`
registered, and no application code outside the engine writes a ``status`` (an attribute
assignment, ``setattr``, or ``update(status=…)`` on a queryset). Tests arrange states as
they need and migrations move data; both are outside the scan.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from xinfang.core import workflow as engine

ROOT = Path(engine.__file__).resolve().parents[1]  # the xinfang package

# Models whose ``status`` is no workflow, each with the reason. The outbox's delivery state
# (queued → sending → sent/failed) is the outbox's own claim protocol, written by
# ``core/outbox.py`` alone (issue 11, item 2 rebuilds it).
NOT_A_WORKFLOW = {"core.message": "delivery state of the outbox (core/outbox.py)"}

# Files allowed to write a ``status``, with the reason.
ALLOWED_WRITERS = {
    "core/workflow.py": "the engine",
    "core/outbox.py": "the outbox's delivery state (NOT_A_WORKFLOW)",
    # A plain value object (Open311's service request as the API describes it), no model.
    "portal/open311/create.py": "dataclass field, not a model",
}

QUERYSET_WRITES = {"update", "update_or_create", "bulk_update"}


def _status_models() -> list[str]:
    return sorted(
        model._meta.label_lower
        for model in apps.get_models()
        if any(f.name == "status" for f in model._meta.concrete_fields)
    )


def test_every_model_with_a_status_has_a_registered_workflow() -> None:
    engine.autodiscover()
    registered = {model._meta.label_lower for model in engine.REGISTRY}
    missing = [
        label
        for label in _status_models()
        if label not in registered and label not in NOT_A_WORKFLOW
    ]
    assert missing == [], f"models with a status but no workflow: {missing}"


def test_every_registered_workflow_is_versioned_and_its_steps_cite_their_statuses() -> None:
    engine.autodiscover()
    for model, flow in engine.REGISTRY.items():
        names = {f.name for f in model._meta.concrete_fields}
        assert "version" in names or not flow.versioned, model
        statuses = {value for value, _label in model._meta.get_field("status").choices}
        for step in flow.steps:
            assert step.sources <= statuses, (model, step.name)
            assert step.target in statuses or step.target == engine.STAY, (model, step.name)


def _writes_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets)
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
        name = node.args[1]
        return isinstance(name, ast.Constant) and name.value == "status"
    if isinstance(func, ast.Attribute) and func.attr in QUERYSET_WRITES:
        if any(kw.arg == "status" for kw in node.keywords):
            return True
        return any(
            isinstance(arg, ast.List | ast.Tuple)
            and any(isinstance(e, ast.Constant) and e.value == "status" for e in arg.elts)
            for arg in node.args
        )
    return False


def _status_writes(source: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source)) if _writes_status(node)]


def test_the_scan_sees_each_way_of_writing_a_status() -> None:
    assert _status_writes("obj.status = 'x'") == [1]
    assert _status_writes("Model.objects.filter(pk=1).update(status='x')") == [1]
    assert _status_writes("setattr(obj, 'status', 'x')") == [1]
    assert _status_writes("Model.objects.bulk_update(rows, ['status'])") == [1]
    assert _status_writes("qs.filter(status='x').update(done=1)\nobj.state = 1") == []


def test_no_code_outside_the_engine_writes_a_status() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        parts = rel.split("/")
        if "migrations" in parts or "tests" in parts or parts[-1] == "conftest.py":
            continue
        if rel in ALLOWED_WRITERS:
            continue
        offenders += [f"{rel}:{line}" for line in _status_writes(path.read_text("utf-8"))]
    assert offenders == [], f"status written outside the workflow engine: {offenders}"
