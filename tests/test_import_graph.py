"""The tree imports one way (issue 13): no import circles, counting imports inside functions too
(a deferred import is a circle postponed, not removed), and the layers' rules: connectors know
nothing of Temporal or of the layers above them; activities never import a workflow; atrium's
core (settings, credentials, store, the events domain) never imports the API, the activities nor
the workflows; the API imports activities only for the typed payloads of the workflows it starts
or signals, each listed below with its reason."""

from __future__ import annotations

import ast
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("api", "atrium", "activities", "connectors", "workflows", "sandbox", "bench")
# atrium's composition roots: the command and the embedded stack start the API and workers.
ROOTS = ("atrium.cli", "atrium.stack")


@cache
def modules() -> dict[str, Path]:
    found = {"worker": ROOT / "worker.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _resolve(name: str) -> str | None:
    """The project module ``name`` is or lies in (None: a library)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import module`` depends on the module; ``from module import name`` on
            # the module (as grimp, import-linter's graph, counts them).
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base
                for alias in node.names
            ]
        else:
            continue
        found |= {r for r in map(_resolve, names) if r and r != module}
    return found


@cache
def graph() -> dict[str, frozenset[str]]:
    return {module: frozenset(imports_of(module)) for module in modules()}


def test_there_is_no_import_circle() -> None:
    try:
        TopologicalSorter(graph()).prepare()
    except CycleError as exc:
        raise AssertionError(f"import circle: {' -> '.join(exc.args[1])}") from None


def test_the_graph_sees_imports_inside_functions() -> None:
    """The walk must count deferred imports, or the circle test would pass by not looking."""
    assert "atrium.roles" in graph()["atrium.settings"]  # imported inside a validator


def _offenders(layer: str, forbidden: tuple[str, ...], *, allowed: tuple[str, ...] = ()) -> list:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        if module.split(".")[0] == layer and not module.startswith(allowed)
        for target in targets
        if target.split(".")[0] in forbidden
    )


def test_connectors_know_nothing_of_the_layers_above() -> None:
    assert not _offenders("connectors", ("activities", "workflows", "api", "worker", "atrium"))
    temporal = [
        m
        for m, path in modules().items()
        if m.startswith("connectors") and "temporalio" in path.read_text()
    ]
    assert not temporal, f"connectors that know Temporal: {temporal}"


def test_activities_never_import_a_workflow_nor_the_api() -> None:
    assert not _offenders("activities", ("workflows", "api", "worker"))


def test_atriums_core_never_imports_the_layers_above() -> None:
    """Settings never import the API's RBAC, the events domain neither activities nor the API."""
    assert not _offenders("atrium", ("api", "worker", "activities", "workflows"), allowed=ROOTS)


# What the API may import from ``activities``: a workflow's typed input or signal payload, which
# the workflow itself imports from its activities (activities never import a workflow). Domain
# types (events, subscriptions, health changes) come from ``atrium`` instead.
API_IMPORTS_OF_ACTIVITIES = {
    ("api.webhooks.dispatcher", "activities.intake"): "BatchInput, the event-batch run's input",
    ("api.webhooks.proctoring", "activities.proctoring"): (
        "SessionOutcome, the proctored-exam run's session-result signal"
    ),
}


def test_the_api_imports_activities_only_for_workflow_payloads() -> None:
    found = {
        (module, target)
        for module, targets in graph().items()
        if module.split(".")[0] == "api"
        for target in targets
        if target.split(".")[0] == "activities"
    }
    unlisted = sorted(f"{m} imports {t}" for m, t in found - API_IMPORTS_OF_ACTIVITIES.keys())
    assert not unlisted, f"the API reaches into activities: {unlisted}"
    stale = sorted(f"{m} -> {t}" for m, t in API_IMPORTS_OF_ACTIVITIES.keys() - found)
    assert not stale, f"allowed but no longer imported (take them off the list): {stale}"


def test_pairs_that_once_imported_each_other_import_one_way() -> None:
    """Issue 13 found these pairs importing each other; now only the first imports the second
    (the workflow calls the activities, the command starts the API) or neither the other."""
    g = graph()
    assert "activities.events" in g["workflows.event_delivery"]
    assert "workflows.event_delivery" not in g["activities.events"]
    assert "atrium.cli" not in g["api.main"]
    assert "api.auth.rbac" not in g["atrium.settings"]
