"""Designed processes: drafts, immutable published versions, diffs, rollback, and their runs.

A draft is saved as it is (an unfinished design is still worth keeping) and validated on every
read; publishing refuses a draft with problems, each naming its step and field. A version with a
destructive action waits for an administrator other than its author. Runs are started,
resumed and decided on here, through Temporal only (workflows/designed_process.py).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowQueryFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.routes.integration_origin import audit
from api.security import Principal, require
from api.starter import start_process
from atrium.bounds import JsonObject, RowId, Text
from atrium.designer.definition import ID_PATTERN, ProcessDefinition, content_hash
from atrium.designer.diff import DefinitionDiff, diff
from atrium.designer.runs import (
    Decision,
    DesignedRunInput,
    PendingDecision,
    Progress,
    derived_run_key,
)
from atrium.designer.starts import StartRefused, designed_run, latest_published
from atrium.designer.validation import destructive_actions, main_flow, parse, validate
from atrium.models.integration import utcnow
from atrium.models.process_definition import (
    NAME_PATTERN,
    ProcessDefinitionCreate,
    ProcessDefinitionRow,
    ProcessVersion,
)
from atrium.temporal import TaskQueues
from connectors.catalog import catalog
from workflows.designed_process import PROCESS, DesignedProcess

router = APIRouter(prefix="/process-definitions", tags=["process-definitions"])
Name = Annotated[str, Path(pattern=NAME_PATTERN, max_length=63)]
Version = Annotated[RowId, Path()]
# A schedule's runs have ids Temporal builds from the action's id and the time (...T01:00:00Z).
WorkflowId = Annotated[str, Path(pattern=r"^designed:[A-Za-z0-9._:-]{1,250}$", max_length=255)]


class ProblemOut(BaseModel):
    step: str | None
    field: str
    message: str


class DefinitionOut(BaseModel):
    name: str
    description: str
    draft: dict[str, Any]
    problems: list[ProblemOut]
    latest_version: int | None
    created_by: str
    updated_by: str
    updated_at: datetime


class DraftIn(BaseModel):
    draft: JsonObject
    description: Text | None = Field(None, max_length=1000)


class ValidateIn(BaseModel):
    definition: JsonObject


class VersionOut(BaseModel):
    name: str
    version: int
    status: str
    content_hash: str
    destructive: list[str]
    source_version: int | None
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    definition: dict[str, Any] | None = None
    runs: int | None = None  # runs started on this version (Temporal's visibility count)


class StartIn(BaseModel):
    input: JsonObject = Field(default_factory=dict)


class RetryIn(BaseModel):
    resume_from: str | None = Field(
        None, pattern=ID_PATTERN, description="default: the failed step"
    )
    from_start: bool = Field(False, description="run every step again, with the original input")


class RunOut(BaseModel):
    workflow_id: str
    run_id: str | None
    name: str
    version: int
    resume_from: str | None = None


class RunItem(BaseModel):
    workflow_id: str
    run_id: str
    status: str
    start_time: datetime | None
    close_time: datetime | None


class RunsOut(BaseModel):
    count: int
    items: list[RunItem]


class WaitingDecision(PendingDecision):
    """A decision waiting for the caller, with the run it belongs to."""

    workflow_id: str
    process: str
    version: int


class DecisionIn(BaseModel):
    step: str = Field(pattern=ID_PATTERN)
    outcome: Literal["approved", "rejected"]
    comment: Text = Field("", max_length=2000)
    form: dict[str, str] = Field(default_factory=dict, max_length=20)
    iteration: str | None = Field(None, max_length=100, pattern=r"^[0-9.]+$")


# -- store -----------------------------------------------------------------------------------


def _row(session: Session, name: str) -> ProcessDefinitionRow:
    row = session.exec(
        select(ProcessDefinitionRow).where(ProcessDefinitionRow.name == name)
    ).first()
    if row is None:
        raise HTTPException(404, f"name: no designed process {name!r}")
    return row


def _version(session: Session, name: str, version: int) -> ProcessVersion:
    row = session.exec(
        select(ProcessVersion).where(ProcessVersion.name == name, ProcessVersion.version == version)
    ).first()
    if row is None:
        raise HTTPException(404, f"version: {name!r} has no version {version}")
    return row


def _versions(session: Session, name: str) -> list[ProcessVersion]:
    query = select(ProcessVersion).where(ProcessVersion.name == name)
    return list(session.exec(query.order_by(col(ProcessVersion.version))).all())


def _checked(
    session: Session, raw: dict[str, Any]
) -> tuple[ProcessDefinition | None, list[ProblemOut]]:
    definition, problems = parse(raw)
    if definition is not None:
        published = lambda name: latest_published(session, name) is not None  # noqa: E731
        problems = validate(definition, catalog(), published=published)
    return definition, [ProblemOut(step=p.step, field=p.field, message=p.message) for p in problems]


def _refuse(problems: list[ProblemOut]) -> HTTPException:
    lines = [f"steps.{p.step}.{p.field}" if p.step else p.field for p in problems]
    summary = "; ".join(f"{where}: {p.message}" for where, p in zip(lines, problems, strict=True))
    return HTTPException(422, f"definition: {summary}"[:4000])


def _out(session: Session, row: ProcessDefinitionRow) -> DefinitionOut:
    versions = _versions(session, row.name)
    return DefinitionOut(
        name=row.name,
        description=row.description,
        draft=row.draft,
        problems=_checked(session, row.draft)[1],
        latest_version=versions[-1].version if versions else None,
        created_by=row.created_by,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


def _version_out(row: ProcessVersion, runs: int | None = None, whole: bool = False) -> VersionOut:
    return VersionOut(
        **row.model_dump(exclude={"id", "definition"}),
        definition=row.definition if whole else None,
        runs=runs,
    )


def _add_version(
    session: Session, name: str, definition: ProcessDefinition, author: str, **extra: Any
) -> ProcessVersion:
    latest = _versions(session, name)
    destructive = destructive_actions(definition, catalog())
    row = ProcessVersion(
        name=name,
        version=(latest[-1].version if latest else 0) + 1,
        definition=definition.model_dump(mode="json"),
        content_hash=content_hash(definition),
        status="pending_approval" if destructive else "published",
        destructive=destructive,
        created_by=author,
        **extra,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # two publishes raced for the same number
        session.rollback()
        raise HTTPException(409, f"{name!r} changed meanwhile; read it and retry") from None
    session.refresh(row)
    return row


# -- definitions and versions ----------------------------------------------------------------


@router.get("/schema", dependencies=[require("designs:read")])
def definition_schema() -> dict[str, Any]:
    """The definition language as JSON Schema (what the console's designer edits)."""
    return ProcessDefinition.model_json_schema()


@router.post("/validate", response_model=list[ProblemOut], dependencies=[require("designs:read")])
def validate_definition(body: ValidateIn, session: SessionDep) -> list[ProblemOut]:
    """Every problem of a definition, each naming its step and field; empty when it may run."""
    return _checked(session, body.definition)[1]


@router.get("/decisions", response_model=list[WaitingDecision])
async def waiting_decisions(
    client: TemporalDep,
    principal: Principal = require("runs:signal"),
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[WaitingDecision]:
    """The approvals the caller may decide on now: of running designed runs, those waiting for
    the caller's role (an administrator's: any) that the caller did not start."""
    query = f"AtriumProcess = '{PROCESS.name}' AND ExecutionStatus = 'Running'"
    ids = [execution.id async for execution in client.list_workflows(query, limit=limit)]

    async def progress(workflow_id: str) -> Progress | None:
        try:
            return await client.get_workflow_handle(workflow_id).query(
                DesignedProcess.progress, rpc_timeout=timedelta(seconds=3)
            )
        except (RPCError, WorkflowQueryFailedError):
            return None  # closed meanwhile, or not answering: not waiting for anyone now

    found = []
    for workflow_id, run in zip(ids, await asyncio.gather(*map(progress, ids)), strict=True):
        if run is None:
            continue
        for pending in run.pending:
            mine = principal.role in (pending.assignee_role, "administrator")
            if mine and pending.started_by != principal.subject[:100]:
                found.append(
                    WaitingDecision(
                        **pending.model_dump(),
                        workflow_id=workflow_id,
                        process=run.name,
                        version=run.version,
                    )
                )
    return sorted(found, key=lambda d: d.deadline)


@router.get("", response_model=list[DefinitionOut], dependencies=[require("designs:read")])
def list_definitions(session: SessionDep) -> list[DefinitionOut]:
    rows = session.exec(select(ProcessDefinitionRow).order_by(ProcessDefinitionRow.name)).all()
    return [_out(session, row) for row in rows]


@router.post("", response_model=DefinitionOut, status_code=status.HTTP_201_CREATED)
def create_definition(
    body: ProcessDefinitionCreate,
    session: SessionDep,
    principal: Principal = require("designs:write"),
) -> DefinitionOut:
    if session.exec(
        select(ProcessDefinitionRow.id).where(ProcessDefinitionRow.name == body.name)
    ).first():
        raise HTTPException(409, f"name: a designed process named {body.name!r} exists")
    row = ProcessDefinitionRow(
        **body.model_dump(), created_by=principal.subject, updated_by=principal.subject
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(409, f"name: a designed process named {body.name!r} exists") from None
    return _out(session, row)


@router.get("/{name}", response_model=DefinitionOut, dependencies=[require("designs:read")])
def get_definition(name: Name, session: SessionDep) -> DefinitionOut:
    return _out(session, _row(session, name))


@router.put("/{name}/draft", response_model=DefinitionOut)
def save_draft(
    name: Name, body: DraftIn, session: SessionDep, principal: Principal = require("designs:write")
) -> DefinitionOut:
    row = _row(session, name)
    row.draft = body.draft
    if body.description is not None:
        row.description = body.description
    row.updated_by, row.updated_at = principal.subject, utcnow()
    session.add(row)
    session.commit()
    return _out(session, row)


@router.post("/{name}/publish", response_model=VersionOut, status_code=status.HTTP_201_CREATED)
async def publish(
    name: Name,
    request: Request,
    session: SessionDep,
    principal: Principal = require("designs:write"),
) -> VersionOut:
    """The draft as a new, immutable version; one with a destructive action waits for an
    administrator's approval before it can run."""
    row = _row(session, name)
    definition, problems = _checked(session, row.draft)
    if definition is None or problems:
        raise _refuse(problems)
    version = await asyncio.to_thread(_add_version, session, name, definition, principal.subject)
    await audit(request, principal, f"PUBLISH {name} v{version.version}: {version.status}", 201)
    return _version_out(version, whole=True)


@router.get("/{name}/versions", response_model=list[VersionOut])
async def list_versions(
    name: Name, session: SessionDep, client: TemporalDep, _: Principal = require("designs:read")
) -> list[VersionOut]:
    """Every version, with how many runs were started on each."""
    _row(session, name)
    versions = _versions(session, name)
    counts = await asyncio.gather(*(_count(client, name, v.version) for v in versions))
    return [_version_out(v, runs) for v, runs in zip(versions, counts, strict=True)]


@router.get(
    "/{name}/versions/{version}", response_model=VersionOut, dependencies=[require("designs:read")]
)
def get_version(name: Name, version: Version, session: SessionDep) -> VersionOut:
    return _version_out(_version(session, name, version), whole=True)


@router.get("/{name}/diff", response_model=DefinitionDiff, dependencies=[require("designs:read")])
def version_diff(
    name: Name,
    session: SessionDep,
    from_version: Annotated[RowId, Query(alias="from")],
    to_version: Annotated[RowId, Query(alias="to")],
) -> DefinitionDiff:
    """Step by step, what changed from one version to the other."""
    old, new = _version(session, name, from_version), _version(session, name, to_version)
    return diff(
        ProcessDefinition.model_validate(old.definition),
        ProcessDefinition.model_validate(new.definition),
    )


@router.post("/{name}/versions/{version}/approve", response_model=VersionOut)
async def approve_version(
    name: Name,
    version: Version,
    request: Request,
    session: SessionDep,
    principal: Principal = require("designs:approve"),
) -> VersionOut:
    """An administrator other than the author lets a version with a destructive action run."""
    row = _version(session, name, version)
    if row.status != "pending_approval":
        raise HTTPException(409, f"version: v{version} of {name!r} is {row.status}")
    if row.created_by == principal.subject:
        await audit(request, principal, f"APPROVE {name} v{version}: refused, own version", 403)
        raise HTTPException(403, "version: its author cannot approve it; another administrator")
    row.status, row.approved_by, row.approved_at = "published", principal.subject, utcnow()
    session.add(row)
    session.commit()
    actions = ", ".join(row.destructive)
    await audit(request, principal, f"APPROVE {name} v{version}: destructive {actions}")
    return _version_out(row, whole=True)


@router.post(
    "/{name}/versions/{version}/rollback",
    response_model=VersionOut,
    status_code=status.HTTP_201_CREATED,
)
async def rollback(
    name: Name,
    version: Version,
    request: Request,
    session: SessionDep,
    principal: Principal = require("designs:write"),
) -> VersionOut:
    """Publish an old version's content as the newest version (the old one stays as it was).
    Content an administrator approved before needs no second approval."""
    old = _version(session, name, version)
    definition = ProcessDefinition.model_validate(old.definition)
    problems = _checked(session, old.definition)[1]  # the catalog may have changed since
    if problems:
        raise _refuse(problems)
    extra: dict[str, Any] = {"source_version": version}
    if old.status == "published" and old.approved_by:
        extra.update(approved_by=old.approved_by, approved_at=old.approved_at)
    row = await asyncio.to_thread(
        _add_version, session, name, definition, principal.subject, **extra
    )
    if row.approved_by and row.status == "pending_approval":
        row.status = "published"  # the same content, approved before
        session.add(row)
        session.commit()
    await audit(request, principal, f"ROLLBACK {name} v{row.version} from v{version}", 201)
    return _version_out(row, whole=True)


# -- runs ------------------------------------------------------------------------------------


def _subject(name: str, version: int) -> str:
    return f"{name}@v{version}"


async def _count(client: Client, name: str, version: int) -> int | None:
    query = f"AtriumProcess = '{PROCESS.name}' AND AtriumSubject = '{_subject(name, version)}'"
    try:
        return (await client.count_workflows(query)).count
    except RPCError:
        return None  # Temporal unreachable: the versions are still worth listing


async def _start(client: Client, settings: SettingsDep, arg: DesignedRunInput) -> RunOut:
    handle, _ = await start_process(
        client, TaskQueues.from_settings(settings.temporal), PROCESS, arg
    )
    return RunOut(
        workflow_id=handle.id,
        run_id=handle.result_run_id,
        name=arg.name,
        version=arg.version,
        resume_from=arg.resume_from,
    )


@router.post(
    "/{name}/versions/{version}/runs", response_model=RunOut, status_code=status.HTTP_201_CREATED
)
async def start_run(
    name: Name,
    version: Version,
    body: StartIn,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("runs:start"),
) -> RunOut:
    try:
        arg = designed_run(
            session,
            name,
            version,
            body.input,
            started_by=principal.subject,
            run_key=uuid.uuid4().hex[:16],
        )
    except StartRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return await _start(client, settings, arg)


@router.get(
    "/{name}/versions/{version}/runs", response_model=RunsOut, dependencies=[require("runs:read")]
)
async def list_runs(
    name: Name,
    version: Version,
    client: TemporalDep,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RunsOut:
    query = f"AtriumProcess = '{PROCESS.name}' AND AtriumSubject = '{_subject(name, version)}'"
    items = []
    async for execution in client.list_workflows(query, limit=page_size):
        items.append(
            RunItem(
                workflow_id=execution.id,
                run_id=execution.run_id,
                status=execution.status.name if execution.status else "UNKNOWN",
                start_time=execution.start_time,
                close_time=execution.close_time,
            )
        )
    return RunsOut(count=(await client.count_workflows(query)).count, items=items)


async def _run_input(client: Client, name: str, workflow_id: str) -> DesignedRunInput:
    if not workflow_id.startswith(f"designed:{name}:"):
        raise HTTPException(404, "workflow_id: no such run of this process")
    handle = client.get_workflow_handle(workflow_id)
    try:
        async for event in handle.fetch_history_events(page_size=1):
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            [value] = await client.data_converter.decode(list(payloads), [DesignedRunInput])
            return value  # type: ignore[no-any-return]
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise HTTPException(404, "workflow_id: no such run of this process") from None
        raise
    raise HTTPException(404, "workflow_id: no such run of this process")


@router.post(
    "/{name}/runs/{workflow_id}/retry", response_model=RunOut, status_code=status.HTTP_201_CREATED
)
async def retry_run(
    name: Name,
    workflow_id: WorkflowId,
    body: RetryIn,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("runs:start"),
) -> RunOut:
    """A failed run again, on its version: from the failed step (default), from an earlier
    step of the main flow, or from the start; with the failed run's variables, so the steps
    before are not done again."""
    failed = await _run_input(client, name, workflow_id)
    if not failed.run_key:  # a schedule's run: its steps' keys came from its own id
        failed.run_key = derived_run_key(workflow_id)
    handle = client.get_workflow_handle(workflow_id)
    description = await handle.describe()
    if description.status != WorkflowExecutionStatus.FAILED:
        state = description.status.name if description.status else "unknown"
        raise HTTPException(409, f"workflow_id: the run is {state}, not failed")
    try:
        await handle.result(follow_runs=False)
        raise HTTPException(409, "workflow_id: the run did not fail")
    except WorkflowFailureError as exc:
        cause = exc.cause
    details = cause.details[0] if isinstance(cause, ApplicationError) and cause.details else None
    if not isinstance(details, dict) or "resume_from" not in details:
        raise HTTPException(409, "workflow_id: the run failed before any step: start it anew")
    row = _version(session, name, failed.version)
    steps = main_flow(ProcessDefinition.model_validate(row.definition))
    resume_from = None if body.from_start else body.resume_from or details["resume_from"]
    if resume_from is not None and resume_from not in steps:
        raise HTTPException(422, f"resume_from: {resume_from!r} is not a step of the main flow")
    at_failure = resume_from == details["resume_from"]
    arg = failed.model_copy(
        update={
            "started_by": principal.subject[:100],
            "attempt": failed.attempt + 1,
            "resume_from": resume_from,
            "variables": None if body.from_start else details.get("variables"),
            "foreach_offset": details.get("foreach_offset", 0) if at_failure else 0,
            "collected": details.get("collected", []) if at_failure else [],
            "records": [],
            "compensations": [],
        }
    )
    arg.attempt = await _free_attempt(client, arg)
    return await _start(client, settings, arg)


async def _free_attempt(client: Client, arg: DesignedRunInput) -> int:
    """The next attempt number whose run id is not taken (a failed run may be retried twice)."""
    for attempt in range(arg.attempt, arg.attempt + 50):
        try:
            await client.get_workflow_handle(
                PROCESS.workflow_id(arg.model_copy(update={"attempt": attempt}))
            ).describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return attempt
            raise
    raise HTTPException(409, "workflow_id: this run was retried too often; start it anew")


@router.post(
    "/{name}/runs/{workflow_id}/decisions",
    response_model=PendingDecision,
    status_code=status.HTTP_202_ACCEPTED,
)
async def decide(
    name: Name,
    workflow_id: WorkflowId,
    body: DecisionIn,
    request: Request,
    client: TemporalDep,
    principal: Principal = require("runs:signal"),
) -> PendingDecision:
    """Approve or reject a waiting approval step: only someone of its assignee role (or an
    administrator), never the person who started the run."""
    await _run_input(client, name, workflow_id)
    handle = client.get_workflow_handle(workflow_id)
    pending = await handle.query(DesignedProcess.pending_decisions)
    waiting = [p for p in pending if p.step == body.step and body.iteration in (None, p.iteration)]
    if not waiting:
        raise HTTPException(409, f"step: no decision is pending at {body.step!r}")
    target = waiting[0]
    if principal.subject == target.started_by:
        raise HTTPException(403, "step: the run's starter cannot decide on its approval")
    if principal.role not in (target.assignee_role, "administrator"):
        raise HTTPException(403, f"step: this decision is for the role {target.assignee_role!r}")
    decision = Decision(
        step=body.step,
        outcome=body.outcome,
        by=principal.subject[:100],
        comment=body.comment,
        form=body.form,
        iteration=target.iteration,
    )
    await handle.signal(DesignedProcess.decide, decision)
    await audit(request, principal, f"DECIDE {workflow_id} {body.step}: {body.outcome}", 202)
    return target
