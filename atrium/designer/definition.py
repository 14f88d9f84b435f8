"""The process-definition language: a flowchart of typed steps, as JSON.

A definition names its ``start`` step; each step names the step that follows (``next``), and a
step without one ends the flow it is in (the run, a parallel branch, one for-each iteration).
Conditions, switches and approvals route to other steps; parallel branches and for-each bodies
are flows of their own, entered at the step they name. Every step may route its failure to
another step (``on_error``, with the failure in the variable ``error``) and name a compensation
flow run, newest first, when the run later fails for good.

Values come from expressions in JMESPath, the language of the sync engine's mappings
(atrium/sync/mapping.py), evaluated over the variables: ``input`` (the run's input), ``run``
(its name, version, id and starter), ``error`` (the last routed failure) and whatever steps set
(``output``, a transform's ``set``). An action step's ``input`` holds its literal arguments and
``bind`` the ones computed (``{"new.name": "input.name"}``: dotted field -> expression), as a
mapping's ``defaults`` and ``fields`` do.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from atrium.bounds import JsonObject, Line, Text
from atrium.roles import Role

ID_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,62}$"
RESERVED = frozenset({"input", "run", "error"})  # variables every step may read
MAX_STEPS = 200
MAX_EXPRESSION = 2000


def _parses(expression: str) -> str:
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        raise ValueError(f"not a JMESPath expression: {exc}") from None
    return expression


StepId = Annotated[str, Field(pattern=ID_PATTERN, description="a step's id")]
VarName = Annotated[str, Field(pattern=ID_PATTERN, description="a variable's name")]
Expr = Annotated[
    str,
    Field(min_length=1, max_length=MAX_EXPRESSION, description="a JMESPath expression"),
    AfterValidator(_parses),
]
Bindings = Annotated[dict[Line, Expr], Field(max_length=100)]


class Retry(BaseModel):
    """How a step's call to another system is retried (Temporal's retry policy)."""

    model_config = ConfigDict(extra="forbid")
    maximum_attempts: int = Field(3, ge=1, le=20)
    initial_interval_seconds: float = Field(1.0, ge=0.1, le=3600)
    backoff_coefficient: float = Field(2.0, ge=1.0, le=10.0)
    maximum_interval_seconds: float = Field(60.0, ge=0.1, le=86400)


class StepBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: StepId
    name: Line = Field("", max_length=200, description="shown in the Web UI; the id when empty")
    next: StepId | None = Field(None, description="the step after this one; none ends the flow")
    retry: Retry | None = Field(None, description="for the step's calls (action, webhook)")
    timeout_seconds: int | None = Field(None, ge=1, le=30 * 86400)
    on_error: StepId | None = Field(None, description="where a failure of this step goes")
    compensate: StepId | None = Field(None, description="the flow that undoes this step")

    @property
    def label(self) -> str:
        return self.name or self.id


class ActionStep(StepBase):
    """Perform a catalog action (GET /api/v1/actions) on a connection."""

    type: Literal["action"]
    action: Line = Field(max_length=100, examples=["canvas.create_user"])
    integration: str = Field(pattern=NAME_PATTERN, description="the connection it acts on")
    input: JsonObject = Field(default_factory=dict, description="literal arguments")
    bind: Bindings = Field(default_factory=dict, description="dotted argument -> expression")
    output: VarName | None = Field(None, description="the variable that receives the result")


class TransformStep(StepBase):
    """Set variables to computed values."""

    type: Literal["transform"]
    set: Annotated[dict[VarName, Expr], Field(min_length=1, max_length=100)]


class ConditionStep(StepBase):
    """If ``when`` is true (JMESPath truth: not false, null, empty), go to ``then``."""

    type: Literal["condition"]
    when: Expr
    then: StepId | None = Field(None, description="none: carry on with next")
    otherwise: StepId | None = Field(None, description="none: carry on with next")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    equals: Any = Field(description="a JSON value compared with the switch's value")
    goto: StepId


class SwitchStep(StepBase):
    """Go to the first case whose value equals ``value``, else to ``default``."""

    type: Literal["switch"]
    value: Expr
    cases: Annotated[list[Case], Field(min_length=1, max_length=50)]
    default: StepId | None = Field(None, description="none: carry on with next")


class ParallelStep(StepBase):
    """Run branches together; carry on when all are done (one failing fails the step)."""

    type: Literal["parallel"]
    branches: Annotated[list[StepId], Field(min_length=2, max_length=10)]


class ForEachStep(StepBase):
    """Run the ``body`` flow once per item of a list, ``concurrency`` at a time."""

    type: Literal["for_each"]
    items: Expr
    item: VarName = "item"
    index: VarName | None = None
    body: StepId
    concurrency: int = Field(1, ge=1, le=20)
    collect: Expr | None = Field(None, description="evaluated after each iteration's body")
    output: VarName | None = Field(None, description="receives the collected values")


class ApprovalStep(StepBase):
    """Wait for a person of ``assignee_role`` (not the run's starter) to approve or reject."""

    type: Literal["approval"]
    assignee_role: Role
    prompt: Text = Field(max_length=2000)
    form: Annotated[list[VarName], Field(max_length=20)] = Field(
        default_factory=list, description="fields the decider fills in (strings)"
    )
    deadline_seconds: int = Field(7 * 86400, ge=1, le=90 * 86400)
    default_outcome: Literal["approved", "rejected"] = "rejected"
    on_approved: StepId | None = Field(None, description="none: carry on with next")
    on_rejected: StepId | None = Field(None, description="none: carry on with next")
    output: VarName | None = Field(None, description="receives {outcome, by, comment, form}")


class TimerStep(StepBase):
    type: Literal["timer"]
    seconds: int = Field(ge=1, le=90 * 86400)


class WebhookStep(StepBase):
    """Call a URL (through the egress guard) with a JSON body."""

    type: Literal["webhook"]
    url: Line = Field(max_length=2000, pattern=r"^https?://")
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    headers: Annotated[dict[Line, Line], Field(max_length=20)] = Field(default_factory=dict)
    body: JsonObject = Field(default_factory=dict)
    bind: Bindings = Field(default_factory=dict)
    output: VarName | None = Field(None, description="receives {status, body}")


class SubprocessStep(StepBase):
    """Run a built-in process, or the latest published version of a designed one
    (``designed:<name>``, pinned when the step starts), as a child workflow; ``input`` and
    ``bind`` build its input as an action step's do. With ``wait`` the step waits for the
    child's result; without, it starts the child and goes on."""

    type: Literal["subprocess"]
    process: Line = Field(max_length=100, examples=["notify", "designed:withdrawal"])
    input: JsonObject = Field(default_factory=dict, description="literal input fields")
    bind: Bindings = Field(default_factory=dict, description="dotted input field -> expression")
    wait: bool = Field(True, description="wait for the child's result; false: start and go on")
    output: VarName | None = Field(
        None, description="receives {workflow_id, process, version, result}"
    )


class EndStep(StepBase):
    """End the run successfully with an output."""

    type: Literal["end"]
    output: Bindings = Field(default_factory=dict, description="result field -> expression")


class FailStep(StepBase):
    """Fail (the run, or the branch/iteration it is in: on_error routes apply)."""

    type: Literal["fail"]
    message: Text = Field(max_length=1000)


Step = Annotated[
    ActionStep
    | TransformStep
    | ConditionStep
    | SwitchStep
    | ParallelStep
    | ForEachStep
    | ApprovalStep
    | TimerStep
    | WebhookStep
    | SubprocessStep
    | EndStep
    | FailStep,
    Field(discriminator="type"),
]


class InputField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["string", "integer", "number", "boolean", "object", "array"] = "string"
    required: bool = True
    description: Text = Field("", max_length=500)


class ProcessDefinition(BaseModel):
    """A designed process. GET /api/v1/process-definitions/schema serves this as JSON Schema."""

    model_config = ConfigDict(extra="forbid")
    start: StepId
    inputs: Annotated[dict[VarName, InputField], Field(max_length=50)] = Field(
        default_factory=dict, description="the run's input fields (read as input.<field>)"
    )
    variables: JsonObject = Field(default_factory=dict, description="initial variables")
    steps: Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)]

    @model_validator(mode="after")
    def _unique_ids(self) -> ProcessDefinition:
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            if step.id in seen:
                raise ValueError(f"steps[{index}].id: {step.id!r} is used by another step")
            seen.add(step.id)
        return self

    def by_id(self) -> dict[str, Any]:
        return {step.id: step for step in self.steps}


def canonical_json(definition: ProcessDefinition) -> str:
    return json.dumps(
        definition.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), default=str
    )


def content_hash(definition: ProcessDefinition) -> str:
    """What a version is pinned by: sha256 of the definition's canonical JSON."""
    return hashlib.sha256(canonical_json(definition).encode()).hexdigest()


def targets(step: Any) -> list[tuple[str, str]]:
    """(field, step id) of every route leaving ``step`` within its flow (not into sub-flows)."""
    found: list[tuple[str, str]] = []
    for field in ("next", "on_error", "then", "otherwise", "default", "on_approved", "on_rejected"):
        value = getattr(step, field, None)
        if value is not None:
            found.append((field, value))
    for index, case in enumerate(getattr(step, "cases", None) or []):
        found.append((f"cases[{index}].goto", case.goto))
    return found


def subflows(step: Any) -> list[tuple[str, str]]:
    """(field, entry step id) of the flows ``step`` starts: branches, a body, a compensation."""
    found = [(f"branches[{i}]", entry) for i, entry in enumerate(getattr(step, "branches", []))]
    if isinstance(step, ForEachStep):
        found.append(("body", step.body))
    if step.compensate is not None:
        found.append(("compensate", step.compensate))
    return found
