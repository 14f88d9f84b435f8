"""Starting a registered process: the one path every route (and the webhook) uses."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from api.events.hub import EventHub
from atrium.correlation import current as current_correlation
from atrium.temporal import INTEGRATION, PROCESS, SUBJECT, TaskQueues
from workflows.announce import MEMO_KEY as ANNOUNCE_MEMO
from workflows.announce import memo as announce_memo
from workflows.registry import Process


def search_attributes(process: Process, arg: BaseModel) -> TypedSearchAttributes:
    """What Atrium (and the Temporal Web UI) filters a run by: its process, connection, subject
    (a schedule's action carries the same)."""
    pairs = [SearchAttributePair(PROCESS, process.name)]
    if (integration := process.integration(arg)) is not None:
        pairs.append(SearchAttributePair(INTEGRATION, integration))
    if (subject := process.subject(arg)) is not None:
        pairs.append(SearchAttributePair(SUBJECT, subject))
    return TypedSearchAttributes(pairs)


async def start_process(
    client: Client,
    queues: TaskQueues,
    process: Process,
    arg: BaseModel,
    *,
    workflow_id: str | None = None,
    id_reuse_policy: WorkflowIDReusePolicy = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    events: EventHub | None = None,
    announce: list[str] | None = None,
    rpc_timeout: timedelta | None = None,
) -> tuple[WorkflowHandle, bool]:
    """Start a run, or join the one going for the same business key.

    Returns the handle and whether a new run started. ``workflow_id`` overrides the business-key
    id (webhooks add the event id); ``events``, when given, announces ``run.started`` to the live
    stream and to subscribers in the background. ``announce`` (else, with ``events``, the types
    that have subscribers now) tells the run which of its own events to publish
    (workflows/announce.py). Eager start is requested: for an eager process,
    the worker inside the API process (sharing this client) then runs the first workflow task, and
    with it the whole run, without waiting for a poll.
    """
    memo: dict[str, object] = {"correlation_id": cid} if (cid := current_correlation()) else {}
    if events is not None and announce is None:
        announce = await events.announced()
    if announce is not None:  # the run skips publishing events nobody subscribes to
        memo[ANNOUNCE_MEMO] = announce_memo(announce)
    handle: WorkflowHandle = await client.start_workflow(
        process.workflow_type,
        arg,
        id=workflow_id or process.workflow_id(arg),
        task_queue=queues.for_process(process.eager),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=id_reuse_policy,
        search_attributes=search_attributes(process, arg),
        memo=memo or None,
        request_eager_start=True,
        rpc_timeout=rpc_timeout,
    )
    # USE_EXISTING answers with the running run; the response says whether a new one started.
    started = bool(getattr(getattr(handle, "_start_workflow_response", None), "started", True))
    if started and events is not None:
        events.run_started(client, process.name, handle.id, handle.result_run_id)
    return handle, started
