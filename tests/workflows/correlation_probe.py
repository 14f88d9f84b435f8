"""A workflow whose activity reports the correlation id it sees (kept apart: the workflow sandbox
re-imports this module, so it imports nothing heavy)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import structlog


@activity.defn(name="whoami")
async def whoami() -> str:
    return str(structlog.contextvars.get_contextvars().get("correlation_id"))


@workflow.defn(name="correlation-probe")
class CorrelationProbe:
    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_activity(whoami, start_to_close_timeout=timedelta(seconds=10))
