"""A designed process's dry runs and its runs' per-step view.

A dry run is the interpreter itself (workflows/designed_process.py) on sample input, told to
perform only the version's read actions (or none) and to answer every other action, webhook and
approval with the sample given (or null, or the approval's default outcome), without waiting on
timers: conditions, switches, transforms and loops run as they would, and nothing is written.
It may try a version still awaiting approval. Its id starts ``designed-dry:`` and its subject is
apart, so it is not counted among the version's runs.

A test run is a normal run (against the sandbox institution's connections); this per-step view
(the interpreter's ``progress`` query, which Temporal answers for a finished run too) shows each
step's input, output, status and the branch it took, for dry and real runs alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.security import Principal, require
from api.starter import start_process
from atrium.bounds import JsonObject, RowId
from atrium.designer.definition import ID_PATTERN, ActionStep, ProcessDefinition
from atrium.designer.runs import DryRun, PendingDecision, Progress, StepRecord
from atrium.designer.starts import StartRefused, designed_run, runnable_version
from atrium.models.process_definition import NAME_PATTERN
from atrium.temporal import SUBJECT, TaskQueues
from connectors.catalog import catalog
from workflows.designed_process import PROCESS

router = APIRouter(prefix="/process-definitions", tags=["process-definitions"])
Name = Annotated[str, Path(pattern=NAME_PATTERN, max_length=63)]
RunId = Annotated[str, Path(pattern=r"^designed(-dry)?:[A-Za-z0-9._:-]{1,250}$", max_length=255)]
DRY_RUN_SECONDS = 60


class DryRunIn(BaseModel):
    input: JsonObject = Field(default_factory=dict)
    samples: JsonObject = Field(
        default_factory=dict, description="step id -> the output it answers with (not performed)"
    )
    decisions: dict[Annotated[str, Field(pattern=ID_PATTERN)], Literal["approved", "rejected"]] = (
        Field(default_factory=dict, max_length=200, description="approval step id -> outcome")
    )
    perform_reads: bool = Field(True, description="perform the read actions; false: none")


class RunView(BaseModel):
    workflow_id: str
    name: str
    version: int
    status: str
    dry_run: bool
    started_by: str
    output: dict[str, Any] | None = None
    error: str | None = None
    steps: list[StepRecord]
    pending: list[PendingDecision]


async def _view(client: Client, workflow_id: str, principal: Principal | None = None) -> RunView:
    handle = client.get_workflow_handle(workflow_id)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise HTTPException(404, "workflow_id: no such run of this process") from None
        raise
    if principal is not None and not principal.may_see(
        description.typed_search_attributes.get(SUBJECT)
    ):
        raise HTTPException(404, "workflow_id: no such run of this process")
    progress: Progress = await handle.query(
        PROCESS.progress_query or "progress",
        result_type=Progress,
        rpc_timeout=timedelta(seconds=10),
    )
    state = description.status or WorkflowExecutionStatus.RUNNING
    view = RunView(
        workflow_id=workflow_id,
        name=progress.name,
        version=progress.version,
        status=state.name.lower(),
        dry_run=workflow_id.startswith("designed-dry:"),
        started_by=progress.started_by,
        steps=progress.steps,
        pending=progress.pending,
    )
    if state == WorkflowExecutionStatus.COMPLETED:
        result = await handle.result(follow_runs=False)
        view.output = result.get("output") if isinstance(result, dict) else None
    elif state == WorkflowExecutionStatus.FAILED:
        try:
            await handle.result(follow_runs=False)
        except WorkflowFailureError as exc:
            cause = exc.cause
            view.error = cause.message if isinstance(cause, ApplicationError) else str(cause)
    return view


@router.post(
    "/{name}/versions/{version}/dry-run",
    response_model=RunView,
    status_code=status.HTTP_200_OK,
)
async def dry_run(
    name: Name,
    version: Annotated[RowId, Path()],
    body: DryRunIn,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("designs:write"),
) -> RunView:
    """Run the version on sample input without writing; each step's input, output, status and
    branch taken. Waits for the dry run's end (a minute at most, then it is stopped)."""
    try:
        row = runnable_version(session, name, version, dry_run=True)
        definition = ProcessDefinition.model_validate(row.definition)
        actions = catalog()
        reads = [
            s.id
            for s in definition.steps
            if isinstance(s, ActionStep)
            and s.action in actions
            and actions[s.action].spec.effect == "read"
        ]
        unknown = sorted((set(body.samples) | set(body.decisions)) - set(definition.by_id()))
        if unknown:
            raise HTTPException(422, f"samples.{unknown[0]}: not a step of v{version}")
        plan = DryRun(
            perform=reads if body.perform_reads else [],
            samples=body.samples,
            decisions=body.decisions,
        )
        arg = designed_run(
            session,
            name,
            version,
            body.input,
            started_by=principal.subject,
            run_key=f"dry-{uuid.uuid4().hex[:16]}",
            dry_run=plan,
        )
    except StartRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None
    workflow_id = f"designed-dry:{name}:v{version}:{arg.run_key}"
    queues = TaskQueues.from_settings(settings.temporal)
    handle, _ = await start_process(client, queues, PROCESS, arg, workflow_id=workflow_id)
    with contextlib.suppress(WorkflowFailureError):
        try:
            await asyncio.wait_for(handle.result(), DRY_RUN_SECONDS)
        except TimeoutError:
            with contextlib.suppress(RPCError):
                await handle.terminate(f"dry run: longer than {DRY_RUN_SECONDS} s")
    return await _view(client, workflow_id)


@router.get("/{name}/runs/{workflow_id}", response_model=RunView)
async def run_view(
    name: Name,
    workflow_id: RunId,
    client: TemporalDep,
    principal: Principal = require("runs:read"),
) -> RunView:
    """A run's (or dry run's) steps: input, output, status, branch taken; what waits."""
    if not workflow_id.split(":", 2)[1:2] == [name]:
        raise HTTPException(404, "workflow_id: no such run of this process")
    return await _view(client, workflow_id, principal)
