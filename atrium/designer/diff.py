"""What changed between two versions of a definition, step by step (as Kestra shows revisions):
steps added, removed and changed, each change a JSON path with the value before and after."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from atrium.designer.definition import ProcessDefinition


class Change(BaseModel):
    path: str  # within the step ("input.new.name") or the definition ("start")
    before: Any = None
    after: Any = None


class StepDiff(BaseModel):
    step: str
    status: Literal["added", "removed", "changed"]
    changes: list[Change]


class DefinitionDiff(BaseModel):
    definition: list[Change]  # start, inputs, variables
    steps: list[StepDiff]


def diff(old: ProcessDefinition, new: ProcessDefinition) -> DefinitionDiff:
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    top = [
        change
        for key in ("start", "inputs", "variables")
        for change in changes(before.get(key), after.get(key), key)
    ]
    old_steps = {s["id"]: s for s in before["steps"]}
    new_steps = {s["id"]: s for s in after["steps"]}
    steps: list[StepDiff] = []
    for sid, step in new_steps.items():  # in the new version's order, then the removed ones
        if sid not in old_steps:
            steps.append(StepDiff(step=sid, status="added", changes=changes(None, step, "")))
        elif found := changes(old_steps[sid], step, ""):
            steps.append(StepDiff(step=sid, status="changed", changes=found))
    for sid, step in old_steps.items():
        if sid not in new_steps:
            steps.append(StepDiff(step=sid, status="removed", changes=changes(step, None, "")))
    return DefinitionDiff(definition=top, steps=steps)


def changes(before: Any, after: Any, path: str) -> list[Change]:
    """The leaf-level differences of two JSON values; lists compare item by item."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[Change] = []
        for key in [*before, *(k for k in after if k not in before)]:
            found += changes(before.get(key), after.get(key), _join(path, str(key)))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            c
            for i, pair in enumerate(zip(before, after, strict=True))
            for c in changes(*pair, f"{path}[{i}]")
        ]
    if before == after:
        return []
    return [Change(path=path or "(step)", before=before, after=after)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
