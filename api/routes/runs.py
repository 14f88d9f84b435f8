"""Runs: start a process, list and read runs from Temporal visibility, cancel and signal them."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session
from temporalio.client import (
    WorkflowExecution,
    WorkflowExecutionAsyncIterator,
    WorkflowExecutionDescription,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
)
from temporalio.service import RPCError, RPCStatusCode

from api.connections_named import refuse_unusable_connections
from api.deps import SessionDep, SettingsDep, TemporalDep
from api.errors import validation_detail
from api.events.hub import EventsDep
from api.run_failure import RunFailure, explain
from api.security import Principal, require
from api.starter import start_process
from atrium.bounds import BoundedDatetime, JsonObject, Line, is_line
from atrium.temporal import INTEGRATION, PROCESS, SUBJECT, TaskQueues
from workflows.registry import PROCESSES, Process, by_workflow_type

router = APIRouter(prefix="/runs", tags=["runs"])

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,254}$"
WorkflowId = Annotated[str, Path(pattern=ID_PATTERN, max_length=255)]
SIGNAL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class RunStatus(StrEnum):
    Running = "Running"
    Completed = "Completed"
    Failed = "Failed"
    Canceled = "Canceled"
    Terminated = "Terminated"
    TimedOut = "TimedOut"
    ContinuedAsNew = "ContinuedAsNew"


class StartRun(BaseModel):
    process: Line = Field(min_length=1, max_length=100, examples=["integration-health-check"])
    input: JsonObject = Field(default_factory=dict)


class SignalRun(BaseModel):
    payload: JsonObject = Field(default_factory=dict)


class RunPublic(BaseModel):
    workflow_id: str
    run_id: str | None
    process: str | None
    workflow_type: str
    status: str
    integration: str | None = None
    subject: str | None = None
    start_time: datetime | None = None
    close_time: datetime | None = None
    temporal_ui_url: str
    joined: bool | None = None
    input: Any = None
    progress: Any = None
    result: Any = None
    failure: str | None = None  # one line: the root cause, its step and system
    cause: RunFailure | None = None


class RunPage(BaseModel):
    items: list[RunPublic]
    next_page_token: str | None
    # How many runs match the filters, counted by Temporal (visibility answers pages by token and
    # no total); None when the count could not be had, and then only the token says "more".
    total: int | None = None


def _ui_url(settings: SettingsDep, namespace: str, workflow_id: str, run_id: str | None) -> str:
    base = f"{settings.temporal.ui_url}/namespaces/{namespace}/workflows/{workflow_id}"
    return f"{base}/{run_id}/history" if run_id else base


def _public(
    execution: WorkflowExecution, settings: SettingsDep, namespace: str, **extra: Any
) -> RunPublic:
    attributes = execution.typed_search_attributes
    process = attributes.get(PROCESS)
    if process is None:
        known = by_workflow_type(execution.workflow_type)
        process = known.name if known else None
    return RunPublic(
        workflow_id=execution.id,
        run_id=execution.run_id,
        process=process,
        workflow_type=execution.workflow_type,
        status=execution.status.name.title().replace("_", "") if execution.status else "Unknown",
        integration=attributes.get(INTEGRATION),
        subject=attributes.get(SUBJECT),
        start_time=execution.start_time,
        close_time=execution.close_time,
        temporal_ui_url=_ui_url(settings, namespace, execution.id, execution.run_id),
        **extra,
    )


def validated_start(
    session: Session, name: str, given: dict[str, Any], *, starter: str
) -> tuple[Process, BaseModel]:
    """A built-in process and its validated input, or a 422 naming the field: what every start
    of a built-in process (this route, a schedule's action) checks. A process whose input names
    its starter (``started_by``) gets the authenticated caller there, whatever the input says:
    the starter is who asked, never what they wrote."""
    process = PROCESSES.get(name)
    if process is None:
        known = ", ".join(sorted(PROCESSES))
        raise HTTPException(422, f"process: unknown process {name!r}; known: {known}")
    if "started_by" in process.input_model.model_fields:
        given = {**given, "started_by": starter[:100]}
    try:
        arg = process.input_model.model_validate(given)
    except ValidationError as exc:
        fields = validation_detail(exc.errors())  # type: ignore[arg-type]
        for f in fields:
            f["field"] = f"input.{f['field']}" if f["field"] != "body" else "input"
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        raise HTTPException(422, f"invalid input: {summary}") from None
    # Workflow ids are built from input fields; whichever field a process uses, no control
    # character (a newline allowed in free text included) may end up in an id.
    if not is_line(process.workflow_id(arg)):
        raise HTTPException(422, "input: a field of the run's id holds a control character")
    refuse_unusable_connections(session, process, arg)
    return process, arg


@router.post(
    "",
    response_model=RunPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "joined the run already going for this business key"}},
)
async def start_run(
    body: StartRun,
    client: TemporalDep,
    settings: SettingsDep,
    session: SessionDep,
    response: Response,
    events: EventsDep,
    principal: Principal = require("runs:start"),
) -> RunPublic:
    process, arg = validated_start(session, body.process, body.input, starter=principal.subject)
    handle, started = await start_process(
        client, TaskQueues.from_settings(settings.temporal), process, arg, events=events
    )
    if not started:
        response.status_code = status.HTTP_200_OK
    description = await handle.describe()
    return _public(description, settings, client.namespace, joined=not started)


@router.get("", response_model=RunPage)
async def list_runs(
    client: TemporalDep,
    settings: SettingsDep,
    process: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z0-9-]+$")] = None,
    status_: Annotated[RunStatus | None, Query(alias="status")] = None,
    integration: Annotated[
        str | None, Query(max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    ] = None,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    page_token: Annotated[str | None, Query(max_length=4096)] = None,
    started_after: Annotated[BoundedDatetime | None, Query(description="ISO 8601 time")] = None,
    principal: Principal = require("runs:read"),
) -> RunPage:
    clauses = []
    if principal.self_scoped:
        subjects = principal.subjects()
        if not subjects:  # a student without a person id, a professor without classes
            return RunPage(items=[], next_page_token=None, total=0)
        clauses.append(f"AtriumSubject IN ({', '.join(_quote(s) for s in subjects)})")
    if process:
        clauses.append(f"AtriumProcess = '{process}'")
    if status_:
        clauses.append(f"ExecutionStatus = '{status_.value}'")
    if integration:
        clauses.append(f"AtriumIntegration = '{integration}'")
    if started_after:  # BoundedDatetime: already in UTC
        clauses.append(f"StartTime > '{started_after.isoformat().replace('+00:00', 'Z')}'")
    token = None
    if page_token:
        try:
            token = base64.b64decode(page_token.encode(), altchars=b"-_", validate=True)
            if not token:
                raise ValueError("empty")
        except (binascii.Error, ValueError):
            raise _bad_page_token() from None
    query = " AND ".join(clauses) or None
    iterator = client.list_workflows(query, page_size=page_size, next_page_token=token)
    _, total = await asyncio.gather(_first_page(iterator, token), _count(client, query))
    items = [_public(e, settings, client.namespace) for e in iterator.current_page or []]
    next_token = iterator.next_page_token
    return RunPage(
        items=items,
        next_page_token=base64.urlsafe_b64encode(next_token).decode() if next_token else None,
        total=total,
    )


async def _first_page(iterator: WorkflowExecutionAsyncIterator, token: bytes | None) -> None:
    try:
        await iterator.fetch_next_page()
    except RPCError as exc:
        # Temporal's tokens are opaque: one it cannot read fails the listing. That is the
        # caller's token, not Temporal being down, unless Temporal is unreachable.
        if token is None or exc.status in _TEMPORAL_DOWN:
            raise
        raise _bad_page_token() from None


async def _count(client: TemporalDep, query: str | None) -> int | None:
    """How many runs the query matches (Temporal's count API), None if it cannot be counted:
    the page is still worth answering without its total."""
    try:
        return (await client.count_workflows(query)).count
    except RPCError:
        return None


_TEMPORAL_DOWN = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


def _bad_page_token() -> HTTPException:
    return HTTPException(422, "page_token: not a token this API returned")


async def _input(client: TemporalDep, handle: WorkflowHandle) -> Any:
    """The run's input, read from its first history event (inputs never carry secrets)."""
    async for event in handle.fetch_history_events(page_size=1):
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        values = await client.data_converter.decode(list(payloads)) if payloads else []
        return values[0] if len(values) == 1 else values or None
    return None


def _quote(value: str) -> str:
    """A visibility-query string literal (values are validated ids; escaping is belt and braces)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# One answer for "no such run" and "not yours to see", the id not even echoed back.
_NOT_FOUND = "workflow_id: no such run"


def _not_found() -> HTTPException:
    return HTTPException(404, _NOT_FOUND)


async def _describe(
    client: TemporalDep, workflow_id: str, principal: Principal | None = None
) -> WorkflowExecutionDescription:
    """The run, or a 404 that is the same, byte for byte, whether the run does not exist or the
    caller may not see it: run ids are predictable, so a different answer (or a shortcut that
    answers faster) would tell a student which of someone else's runs exist."""
    try:
        description = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise _not_found() from None
        raise
    subject = description.typed_search_attributes.get(SUBJECT)
    if principal is not None and not principal.may_see(subject):
        raise _not_found()
    return description


@router.get("/{workflow_id}", response_model=RunPublic)
async def get_run(
    workflow_id: WorkflowId,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("runs:read"),
) -> RunPublic:
    description = await _describe(client, workflow_id, principal)
    handle = client.get_workflow_handle(workflow_id, run_id=description.run_id)
    extra: dict[str, Any] = {"input": await _input(client, handle)}
    status_name = description.status.name if description.status else ""
    process = by_workflow_type(description.workflow_type)
    if status_name == "RUNNING" and process and process.progress_query:
        with contextlib.suppress(RPCError, WorkflowQueryFailedError):
            extra["progress"] = await handle.query(
                process.progress_query, rpc_timeout=timedelta(seconds=3)
            )
    if status_name in ("COMPLETED", "FAILED", "TIMED_OUT", "CANCELED", "TERMINATED"):
        try:
            extra["result"] = await handle.result(rpc_timeout=timedelta(seconds=5))
        except WorkflowFailureError as exc:
            cause = explain(exc.cause)
            extra["failure"], extra["cause"] = cause.line(), cause
    return _public(description, settings, client.namespace, **extra)


@router.post(
    "/{workflow_id}/cancel", status_code=status.HTTP_202_ACCEPTED, response_model=RunPublic
)
async def cancel_run(
    workflow_id: WorkflowId,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("runs:cancel"),
) -> RunPublic:
    description = await _describe(client, workflow_id, principal)
    if description.status and description.status.name != "RUNNING":
        raise HTTPException(409, f"run {workflow_id!r} is not running ({description.status.name})")
    await client.get_workflow_handle(workflow_id).cancel()
    return _public(await _describe(client, workflow_id), settings, client.namespace)


@router.post(
    "/{workflow_id}/signals/{signal}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunPublic,
)
async def signal_run(
    workflow_id: WorkflowId,
    signal: Annotated[str, Path(max_length=100, pattern=SIGNAL_PATTERN)],
    body: SignalRun,
    client: TemporalDep,
    settings: SettingsDep,
    principal: Principal = require("runs:signal"),
) -> RunPublic:
    description = await _describe(client, workflow_id, principal)
    process = by_workflow_type(description.workflow_type)
    model = process.signals.get(signal) if process else None
    if model is None:
        known = ", ".join(sorted(process.signals)) if process else ""
        raise HTTPException(
            404, f"signal: {signal!r} is not a signal of this run; known: {known or 'none'}"
        )
    if description.status and description.status.name != "RUNNING":
        raise HTTPException(409, f"run {workflow_id!r} is not running ({description.status.name})")
    try:
        payload = model.model_validate(body.payload)
    except ValidationError as exc:
        fields = validation_detail(exc.errors())  # type: ignore[arg-type]
        summary = "; ".join(f"payload.{f['field']}: {f['message']}" for f in fields)
        raise HTTPException(422, f"invalid signal payload: {summary}") from None
    await client.get_workflow_handle(workflow_id).signal(signal, payload)
    return _public(description, settings, client.namespace)
