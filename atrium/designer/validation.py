"""Static validation of a process definition: everything that can be known before a run.

Refused, each naming the step and the field: a route to a step that does not exist or that
belongs to another flow (a branch, a for-each body, a compensation), an unreachable step, an
unknown action, literal action arguments that do not fit the action's input schema (computed
ones are checked once computed), an expression reading a variable no earlier step sets, an
``end`` outside the main flow, a sub-process naming a process that is not there (a built-in one
workflows/registry.py did not enter in atrium/designer/builtins.py, a designed one with no
published version) or literal input that does not fit the built-in process's input model.
"Earlier" means on some path from the start: a variable set on one branch only is read as null
on the other, as JMESPath reads any missing field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from atrium.designer.builtins import BUILT_IN
from atrium.designer.definition import (
    RESERVED,
    ActionStep,
    ApprovalStep,
    ConditionStep,
    EndStep,
    FailStep,
    ForEachStep,
    ParallelStep,
    ProcessDefinition,
    SubprocessStep,
    SwitchStep,
    TransformStep,
    WebhookStep,
    subflows,
    targets,
)
from atrium.designer.expressions import put, references
from atrium.designer.starts import designed_name
from connectors.actions import Action

MAIN = "(main)"  # not a step id: flows are otherwise named by their entry step


@dataclass(frozen=True)
class Problem:
    step: str | None  # None: the definition as a whole
    field: str
    message: str

    def line(self) -> str:
        where = f"steps.{self.step}.{self.field}" if self.step else self.field
        return f"{where}: {self.message}"


def parse(raw: Mapping[str, Any]) -> tuple[ProcessDefinition | None, list[Problem]]:
    """The definition, or the problems of its shape with the step (by id) and field named."""
    steps = raw.get("steps")
    ids = [s.get("id") for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []
    twice = sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1})
    if twice:
        return None, [Problem(i, "id", "used by another step as well") for i in twice]
    try:
        return ProcessDefinition.model_validate(raw), []
    except ValidationError as exc:
        return None, [_problem(raw, err) for err in exc.errors()[:50]]


def _problem(raw: Mapping[str, Any], err: Any) -> Problem:
    loc = list(err["loc"])
    step = None
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        steps = raw.get("steps")
        entry = steps[loc[1]] if isinstance(steps, list) and loc[1] < len(steps) else None
        named = entry.get("id") if isinstance(entry, dict) else None
        step = named if isinstance(named, str) and named else f"[{loc[1]}]"
        loc = loc[2:]
        if loc and isinstance(entry, dict) and loc[0] == entry.get("type"):
            loc = loc[1:]  # the discriminator's tag, not a field
    field = ".".join(str(p) for p in loc)
    return Problem(step, field or ("type" if step else "definition"), err["msg"])


def built_in_processes() -> dict[str, type[BaseModel]]:
    """What a sub-process step may run besides designed processes: name -> input model."""
    return {name: entry.input_model for name, entry in BUILT_IN.items()}


def validate(
    definition: ProcessDefinition,
    actions: Mapping[str, Action],
    processes: Mapping[str, type[BaseModel]] | None = None,
    published: Callable[[str], bool] | None = None,
) -> list[Problem]:
    """Every problem of ``definition`` against the catalog ``actions``, the built-in
    ``processes`` (name -> input model; the registry's when None) and ``published`` (whether a
    designed process has a published version; not asked when None); empty when it may run."""
    steps = definition.by_id()
    problems: list[Problem] = []
    if definition.start not in steps:
        return [Problem(None, "start", f"no step {definition.start!r}")]
    for step in definition.steps:
        for field, target in [*targets(step), *subflows(step)]:
            if target not in steps:
                problems.append(Problem(step.id, field, f"no step {target!r}"))
            elif target == step.id and field != "next":
                problems.append(Problem(step.id, field, "a step cannot route to itself"))
    if problems:
        return problems
    flows, owner, flow_problems = _flows(definition)
    problems += flow_problems
    for step in definition.steps:
        if step.id not in owner:
            problems.append(Problem(step.id, "id", "unreachable: no route from the start"))
        elif isinstance(step, EndStep) and owner[step.id] != MAIN:
            problems.append(Problem(step.id, "type", "an end step belongs in the main flow"))
        if isinstance(step, EndStep | FailStep) and step.next is not None:
            problems.append(Problem(step.id, "next", f"a {step.type} step has no next step"))
        if isinstance(step, ActionStep):
            problems += _action(step, actions)
        if isinstance(step, SubprocessStep):
            if processes is None:
                processes = built_in_processes()
            problems += _subprocess(step, processes, published)
    if not flow_problems:
        problems += _variables(definition, flows, owner)
    return problems


def main_flow(definition: ProcessDefinition) -> list[str]:
    """The steps of the main flow (where a failed run may resume), in the order reached."""
    flows, _, _ = _flows(definition)
    return flows.get(MAIN, [])


def _flows(
    definition: ProcessDefinition,
) -> tuple[dict[str, list[str]], dict[str, str], list[Problem]]:
    """Each flow (main, and one per sub-flow entry) and its steps; every step in one flow."""
    steps = definition.by_id()
    flows: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    pending = [(MAIN, definition.start, None, "")]
    while pending:
        flow, entry, parent, via = pending.pop(0)
        if entry in owner:
            problems.append(
                Problem(parent, via, f"{entry!r} is already a step of the {_named(owner[entry])}")
            )
            continue
        flows[flow] = []
        queue = [entry]
        owner[entry] = flow
        while queue:
            current = steps[queue.pop(0)]
            flows[flow].append(current.id)
            for field, target in targets(current):
                if target not in owner:
                    owner[target] = flow
                    queue.append(target)
                elif owner[target] != flow:
                    problems.append(
                        Problem(
                            current.id,
                            field,
                            f"{target!r} is a step of the {_named(owner[target])}",
                        )
                    )
            for field, sub in subflows(current):
                pending.append((sub, sub, current.id, field))
    return flows, owner, problems


def _named(flow: str) -> str:
    return "main flow" if flow == MAIN else f"flow entered at {flow!r}"


def _action(step: ActionStep, actions: Mapping[str, Action]) -> list[Problem]:
    entry = actions.get(step.action)
    if entry is None:
        return [Problem(step.id, "action", f"unknown action {step.action!r}")]
    return _fits(step, entry.input_model, step.action)


def _subprocess(
    step: SubprocessStep,
    processes: Mapping[str, type[BaseModel]],
    published: Callable[[str], bool] | None,
) -> list[Problem]:
    name = designed_name(step.process)
    if name is not None:
        if published is not None and not published(name):
            return [Problem(step.id, "process", f"{name!r} has no published version")]
        return []  # its input is checked against the version pinned when the step starts
    model = processes.get(step.process)
    if model is None:
        return [Problem(step.id, "process", f"unknown process {step.process!r}")]
    return _fits(step, model, step.process)


def _fits(step: ActionStep | SubprocessStep, model: type[BaseModel], what: str) -> list[Problem]:
    """The step's literal ``input`` against ``model``; fields it binds are judged at run time."""
    problems: list[Problem] = []
    candidate = copy.deepcopy(step.input)
    bound: list[tuple[str, ...]] = []
    for path in step.bind:
        parts = tuple(path.split("."))
        if not all(part.isidentifier() for part in parts):
            problems.append(Problem(step.id, f"bind.{path}", "not a dotted field name"))
            continue
        put(candidate, path, None)  # computed at run time: its value is not judged here
        bound.append(parts)
    try:
        model.model_validate(candidate)
    except ValidationError as exc:
        found: dict[str, list[str]] = {}
        for err in exc.errors():
            loc = _within(candidate, err["loc"], err["type"] == "missing")
            if any(loc[: len(b)] == b for b in bound):
                continue
            message = (
                "required: give it in input or bind" if err["type"] == "missing" else err["msg"]
            )
            found.setdefault(f"input.{'.'.join(loc)}", []).append(message)
        for field, messages in found.items():
            summary = " or ".join(dict.fromkeys(messages))
            problems.append(Problem(step.id, field, f"{summary} ({what})"))
    return problems


def _within(value: Any, loc: Iterable[Any], missing: bool) -> tuple[str, ...]:
    """The part of an error's location that is in the given value (pydantic adds the members
    of a union it tried: ``account.int``); a missing field's own name is kept."""
    kept: list[str] = []
    for part in loc:
        in_dict = isinstance(value, dict) and part in value
        in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if in_dict or in_list:
            value = value[part]
        else:
            if missing and isinstance(value, dict):
                kept.append(str(part))
            break
        kept.append(str(part))
    return tuple(kept)


def assigns(step: Any) -> set[str]:
    """The variables a step sets."""
    if isinstance(step, TransformStep):
        return set(step.set)
    output = getattr(step, "output", None)
    return {output} if isinstance(output, str) else set()


def _variables(
    definition: ProcessDefinition, flows: Mapping[str, list[str]], owner: Mapping[str, str]
) -> list[Problem]:
    """Which variables may be set on reaching each step (a fixed point over the flowchart), then
    every expression checked against them."""
    steps = definition.by_id()
    known = set(RESERVED) | set(definition.variables)
    inside: dict[str, set[str]] = {}  # a flow's entry -> every variable its steps may set

    def set_within(entry: str) -> set[str]:
        if entry not in inside:
            inside[entry] = set()
            for sid in flows.get(entry, []):
                inside[entry] |= assigns(steps[sid])
                for _, sub in subflows(steps[sid]):
                    if not isinstance(steps[sid], ForEachStep) or sub != steps[sid].body:
                        inside[entry] |= set_within(sub)
        return inside[entry]

    before: dict[str, set[str]] = {sid: set() for sid in steps}
    before[definition.start] = set(known)
    changed = True
    while changed:
        changed = False
        for step in definition.steps:
            here = before[step.id]
            after = here | assigns(step)
            if isinstance(step, ParallelStep):
                for entry in step.branches:
                    after |= set_within(entry)
            flows_in: list[tuple[str, set[str]]] = [(t, after) for _, t in targets(step)]
            if step.on_error is not None:
                flows_in.append((step.on_error, here))
            for field, entry in subflows(step):
                if field == "compensate":
                    flows_in.append((entry, after))
                elif isinstance(step, ForEachStep):
                    flows_in.append((entry, here | _locals(step)))
                else:
                    flows_in.append((entry, here))
            for target, incoming in flows_in:
                if not incoming <= before[target]:
                    before[target] |= incoming
                    changed = True
    problems: list[Problem] = []
    for step in definition.steps:
        if step.id not in owner:
            continue  # unreachable: said already
        for field, expression, scope in _expressions(step, before[step.id], set_within):
            problems += _check(step.id, field, expression, scope, definition)
    return problems


def _expressions(
    step: Any, here: set[str], set_within: Callable[[str], set[str]]
) -> Iterable[tuple[str, str, set[str]]]:
    if isinstance(step, ActionStep | WebhookStep | SubprocessStep):
        for path, expression in step.bind.items():
            yield f"bind.{path}", expression, here
    elif isinstance(step, EndStep):
        for path, expression in step.output.items():
            yield f"output.{path}", expression, here
    elif isinstance(step, TransformStep):
        scope = set(here)
        for name, expression in step.set.items():
            yield f"set.{name}", expression, set(scope)
            scope.add(name)  # later entries read earlier ones
    elif isinstance(step, ConditionStep):
        yield "when", step.when, here
    elif isinstance(step, SwitchStep):
        yield "value", step.value, here
    elif isinstance(step, ForEachStep):
        yield "items", step.items, here
        if step.collect:
            yield "collect", step.collect, here | _locals(step) | set_within(step.body)
    elif isinstance(step, ApprovalStep):
        return


def _locals(step: ForEachStep) -> set[str]:
    return {step.item, *([step.index] if step.index else [])}


def _check(
    step: str, field: str, expression: str, scope: set[str], definition: ProcessDefinition
) -> list[Problem]:
    problems = []
    for name, first in sorted(references(expression), key=lambda r: (r[0], r[1] or "")):
        if name not in scope:
            problems.append(Problem(step, field, f"undefined variable {name!r} in {expression!r}"))
        elif name == "input" and definition.inputs and first and first not in definition.inputs:
            problems.append(Problem(step, field, f"the input has no field {first!r}"))
    return problems


def destructive_actions(definition: ProcessDefinition, actions: Mapping[str, Action]) -> list[str]:
    """The destructive catalog actions the definition performs (publishing needs an approval)."""
    used = {s.action for s in definition.steps if isinstance(s, ActionStep)}
    return sorted(a for a in used if a in actions and actions[a].spec.effect == "destructive")
