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
from atrium.temporal import INTEGRATION, PROCESS, SUBJECT
from workflows.registry import Process


async def start_process(
    client: Client,
    task_queue: str,
    process: Process,
    arg: BaseModel,
    *,
    workflow_id: str | None = None,
    id_reuse_policy: WorkflowIDReusePolicy = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    events: EventHub | None = None,
    rpc_timeout: timedelta | None = None,
) -> tuple[WorkflowHandle, bool]:
    """Start a run, or join the one going for the same business key.

    Returns the handle and whether a new run started. ``workflow_id`` overrides the business-key
    id (webhooks add the event id); ``events``, when given, announces ``run.started`` to the live
    stream and to subscribers in the background. Eager start is requested: a worker sharing this
    client then runs the first workflow task without waiting for a poll.
    """
    pairs = [SearchAttributePair(PROCESS, process.name)]
    if (integration := process.integration(arg)) is not None:
        pairs.append(SearchAttributePair(INTEGRATION, integration))
    if (subject := process.subject(arg)) is not None:
        pairs.append(SearchAttributePair(SUBJECT, subject))
    memo = {"correlation_id": cid} if (cid := current_correlation()) else None
    handle: WorkflowHandle = await client.start_workflow(
        process.workflow_type,
        arg,
        id=workflow_id or process.workflow_id(arg),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=id_reuse_policy,
        search_attributes=TypedSearchAttributes(pairs),
        memo=memo,
        request_eager_start=True,
        rpc_timeout=rpc_timeout,
    )
    # USE_EXISTING answers with the running run; the response says whether a new one started.
    started = bool(getattr(getattr(handle, "_start_workflow_response", None), "started", True))
    if started and events is not None:
        events.run_started(client, process.name, handle.id, handle.result_run_id)
    return handle, started
