"""What runs tell subscribers: ``run.completed`` and ``run.failed`` for every process (a worker
interceptor), and what a workflow announces itself (``record.synced``, ``conflict.raised``).

Publishing is a local activity, and most runs have nobody listening; so the starter (the API)
puts in the run's memo, under ``announce``, the event types that had subscribers when the run
started, and the run skips the activity for the others. The memo is part of the run's first
event, so replays decide the same way. A run started without the memo (a schedule, a child
workflow) publishes everything and lets the activity find the subscribers. A subscription made
after a run started is not told about that run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

with workflow.unsafe.imports_passed_through():
    from activities.events import EventActivities, PublishInput
    from atrium.events.delivery import DELIVERY_WORKFLOW
    from atrium.events.envelope import EventEnvelope
    from workflows.policies import LOCAL_STORE

MEMO_KEY = "announce"
RUN_EVENTS = ("run.completed", "run.failed", "record.synced", "conflict.raised")


def memo(types: list[str]) -> dict[str, list[str]]:
    """The memo entry for a run to publish only ``types`` (in an object: Temporal drops a memo
    entry that is an empty list)."""
    return {"types": types}


def _wanted(event_type: str) -> bool:
    entry = workflow.memo_value(MEMO_KEY, None, type_hint=dict[str, list[str]])
    return entry is None or event_type in entry.get("types", [])


def event(kind: str, data: dict[str, Any], key: str | None = None) -> EventEnvelope:
    """An event about this run; ``key`` tells apart several of one kind (one per conflict)."""
    info = workflow.info()
    suffix = f":{key}" if key else ""
    return EventEnvelope(
        # Stable across retries of the publish: subscribers get each one once.
        id=f"{kind}:{info.workflow_id}:{info.run_id}{suffix}",
        type=kind,
        created_at=workflow.now(),
        data={
            "workflow_id": info.workflow_id,
            "run_id": info.run_id,
            "process": info.workflow_type,
            **data,
        },
    )


async def announce(*events: EventEnvelope) -> None:
    """Publish the events someone may want (see the module's docstring), in one local activity.
    A publish that keeps failing is logged, not raised: the run's own outcome stands."""
    wanted = [e for e in events if _wanted(e.type)]
    if not wanted:
        return
    try:
        await workflow.execute_local_activity_method(
            EventActivities.publish_events,
            PublishInput(events=wanted),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=LOCAL_STORE,
        )
    except ActivityError as err:
        types = ", ".join(e.type for e in wanted)
        workflow.logger.warning("events not published (%s): %s", types, err.cause or err)


class _Inbound(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if workflow.info().workflow_type == DELIVERY_WORKFLOW:  # or deliveries announce themselves
            return await super().execute_workflow(input)
        try:
            result = await super().execute_workflow(input)
        except FailureError as err:  # the run fails (continue-as-new and cancellation are not)
            await announce(event("run.failed", {"error": str(err.cause or err)[:500]}))
            raise
        await announce(event("run.completed", {}))
        return result


class AnnounceRuns(Interceptor):
    """Worker interceptor: every run announces how it ended."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return _Inbound
