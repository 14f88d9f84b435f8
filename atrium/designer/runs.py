"""What a designed run takes, answers and is asked: its input (the pinned version, and what a
resumed or continued run carries over), its result, its progress query and the decisions its
approval steps wait for. The interpreter is workflows/designed_process.py."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from atrium.bounds import JsonObject
from atrium.designer import definition as d

WORKFLOW_TYPE = "designed-process"  # the interpreter's workflow type and process name
MAX_ITEMS = 10_000  # items of one for-each
MAX_DEPTH = 8  # designed processes running designed processes: a cycle of them ends here
Status = Literal["running", "waiting", "done", "failed", "routed", "compensated"]


class Decision(BaseModel):
    """An approval step's outcome, signalled as ``decide``."""

    step: str = Field(pattern=d.ID_PATTERN)
    outcome: Literal["approved", "rejected"]
    by: str = Field(min_length=1, max_length=100)
    comment: str = Field("", max_length=2000)
    form: dict[str, str] = Field(default_factory=dict, max_length=20)
    iteration: str | None = Field(None, max_length=100, description="when several wait")


class PendingDecision(BaseModel):
    step: str
    iteration: str
    name: str
    prompt: str
    assignee_role: str
    form: list[str]
    deadline: datetime
    started_by: str


class StepRecord(BaseModel):
    step: str
    iteration: str
    type: str
    status: Status
    input: Any = None
    output: Any = None
    error: str | None = None
    goto: str | None = None  # the step it routed to (a condition's, a switch's branch taken)
    simulated: bool = False  # a dry run's: not performed, its output the sample given


class Compensation(BaseModel):
    entry: str
    iteration: str
    variables: dict[str, Any]


class DryRun(BaseModel):
    """A dry run: only the read actions named in ``perform`` are performed; every other action,
    webhook, sub-process (not started) and approval answers with its sample (or null, or an
    approval's default outcome), and timers do not wait. Nothing is written."""

    perform: list[str] = Field(default_factory=list, max_length=200, description="step ids")
    samples: JsonObject = Field(default_factory=dict, description="step id -> its output")
    decisions: dict[str, Literal["approved", "rejected"]] = Field(
        default_factory=dict, max_length=200, description="approval step id -> outcome"
    )


class DesignedRunInput(BaseModel):
    """A run: its pinned version, input and starter; the rest is set by resumes and by
    continue-as-new."""

    name: str = Field(pattern=d.NAME_PATTERN)
    version: int = Field(ge=1)
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    input: JsonObject = Field(default_factory=dict)
    started_by: str = Field(min_length=1, max_length=100, description="may not approve its steps")
    run_key: str = Field(
        pattern=r"^[A-Za-z0-9._-]{0,64}$",
        description="idempotency scope; empty: derived from the run's own id (a schedule's runs)",
    )
    attempt: int = Field(0, ge=0, le=1000, description="resumed runs count up")
    resume_from: str | None = Field(None, pattern=d.ID_PATTERN)
    variables: dict[str, Any] | None = None  # a failed run's, to resume with
    foreach_offset: int = Field(0, ge=0)
    collected: list[Any] = Field(default_factory=list)
    records: list[StepRecord] = Field(default_factory=list)
    compensations: list[Compensation] = Field(default_factory=list)
    continue_after: int = Field(500, ge=1, le=MAX_ITEMS, description="for-each items per run")
    follow_latest: bool = Field(
        False, description="run the latest published version at start (a schedule's runs)"
    )
    dry_run: DryRun | None = None
    depth: int = Field(0, ge=0, le=MAX_DEPTH, description="0: not a sub-process of a designed run")


class DesignedRunResult(BaseModel):
    name: str
    version: int
    content_hash: str
    output: dict[str, Any]
    steps: list[StepRecord]


class Progress(BaseModel):
    name: str
    version: int
    content_hash: str
    started_by: str
    steps: list[StepRecord]
    pending: list[PendingDecision]


def derived_run_key(workflow_id: str) -> str:
    """The idempotency scope of a run started without one (each run of a schedule has an id of
    its own, which Temporal builds from the schedule's action id and the time)."""
    return hashlib.sha256(workflow_id.encode()).hexdigest()[:32]


def designed_workflow_id(input: DesignedRunInput) -> str:
    base = f"designed:{input.name}:v{input.version}:{input.run_key}"
    return f"{base}:retry{input.attempt}" if input.attempt else base


def designed_subject(name: str, version: int, dry_run: bool = False) -> str:
    """A run's AtriumSubject: the version it runs (how runs are counted per version); a dry
    run's is apart, so it is not counted among them."""
    return f"{name}@v{version}" + (":dry" if dry_run else "")
