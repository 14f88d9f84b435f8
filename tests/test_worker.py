"""The registry is the one list of what Atrium runs, and the worker serves what it declares:
every workflow module's workflows are registered, every activity class a workflow calls is
declared by its registration, and each class is built once per worker and served whole."""

from __future__ import annotations

import ast
import importlib
from collections import Counter
from pathlib import Path

import pytest

from activities.actions import ActionActivities
from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.settings import EventsSettings, VaultSettings
from worker import EVENTS_WORKFLOWS, WORKFLOWS, WorkerActivities, served_methods
from workflows.registry import EVERY_RUN, PROCESSES, REGISTRY, activity_classes

WORKFLOWS_DIR = Path(__file__).parent.parent / "workflows"


def defined_workflows() -> dict[str, type]:
    """Every ``@workflow.defn`` class in workflows/, by its module."""
    found = {}
    for path in sorted(WORKFLOWS_DIR.glob("*.py")):
        module = importlib.import_module(f"workflows.{path.stem}")
        for value in vars(module).values():
            defn = getattr(value, "__temporal_workflow_definition", None)
            if defn is not None and value.__module__ == module.__name__:
                found[defn.name] = value
    return found


def called_activity_classes(workflow: type) -> set[type]:
    """The ``XActivities`` classes whose methods the workflow's own module names."""
    module = importlib.import_module(workflow.__module__)
    tree = ast.parse(Path(module.__file__ or "").read_text())
    names = {
        node.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id.endswith("Activities")
    }
    return {getattr(module, name) for name in names}


def test_every_workflow_is_registered_once() -> None:
    registered = Counter(p.workflow_type for p in REGISTRY)
    assert not [t for t, n in registered.items() if n > 1]
    assert len({p.name for p in REGISTRY}) == len(REGISTRY)
    missing = sorted(set(defined_workflows()) - set(registered))
    assert not missing, f"workflows with no registration (workflows/registry.py): {missing}"
    assert {p.workflow for p in REGISTRY} == set(WORKFLOWS)


def test_only_processes_started_through_the_api_are_listed() -> None:
    internal = {p.name for p in REGISTRY if p.internal}
    assert internal == {
        "event-delivery",
        "event-batch",
        "alert-evaluator",
        "designed-process",
        # privacy: started only through /api/v1/privacy, behind its own permissions
        "subject-access",
        "erasure",
        "retention-purge",
        "monthly-report",  # the report delivery's schedule (api/routes/reports.py)
    }
    assert not internal & set(PROCESSES)
    assert {w.__name__ for w in EVENTS_WORKFLOWS()} == {"ProfileUpdate", "EventBatch"}


@pytest.mark.parametrize("process", REGISTRY, ids=lambda p: p.name)
def test_a_registration_declares_what_its_workflow_calls(process) -> None:  # type: ignore[no-untyped-def]
    undeclared = called_activity_classes(process.workflow) - {*process.activities, *EVERY_RUN}
    assert not undeclared, f"{process.name} calls {undeclared} without declaring them"
    defn = getattr(process.workflow, "__temporal_workflow_definition")  # noqa: B009
    assert set(process.signals) <= set(defn.signals), "a signal the workflow does not define"
    if process.progress_query:
        assert process.progress_query in defn.queries


def test_each_activity_class_is_built_once_on_one_runtime_and_served_whole() -> None:
    served = WorkerActivities(
        make_engine("sqlite://"), Credentials(VaultSettings()), EventsSettings()
    )
    methods = served.methods(activity_classes())
    names = [getattr(m, "__temporal_activity_definition").name for m in methods]  # noqa: B009
    assert len(names) == len(set(names)), "an activity name served twice"
    assert "run_action" in names and "apply_intake_batch" in names
    for cls in activity_classes():
        instance: object = served.get(cls)
        assert served.get(cls) is instance  # built once
        assert set(served_methods(instance)) <= set(methods)
        if hasattr(instance, "runtime"):
            assert instance.runtime is served.runtime
    assert served.get(ActionActivities).runtime is served.runtime
