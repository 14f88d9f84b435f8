"""Temporal's own floor for the events benchmark: an empty workflow with one local activity,
started eagerly on a worker that shares the starter's client."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bench_noop")
async def noop(value: int) -> int:
    return value


@workflow.defn(name="bench-floor")
class Floor:
    @workflow.run
    async def run(self, value: int) -> int:
        return await workflow.execute_local_activity(
            noop, value, start_to_close_timeout=timedelta(seconds=5)
        )
