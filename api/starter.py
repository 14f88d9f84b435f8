"""Starting a registered process: the one path every route (and the webhook) uses."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

from atrium.correlation import current as current_correlation
from atrium.temporal import INTEGRATION, PROCESS, SUBJECT
from workflows.registry import Process


async def start_process(
    client: Client, task_queue: str, process: Process, arg: BaseModel
) -> tuple[WorkflowHandle, bool]:
    """Start a run, or join the one going for the same business key.

    Returns the handle and whether a new run started.
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
        id=process.workflow_id(arg),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        search_attributes=TypedSearchAttributes(pairs),
        memo=memo,
    )
    # USE_EXISTING answers with the running run; the response says whether a new one started.
    started = getattr(getattr(handle, "_start_workflow_response", None), "started", True)
    return handle, bool(started)
