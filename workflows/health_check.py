"""Integration health checks: one connection on demand, or every connection on a schedule."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.health import (
        CheckHealthInput,
        CheckHealthResult,
        HealthActivities,
        ListIntegrationsInput,
    )
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL


class HealthCheckInput(BaseModel):
    integration: str = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")


class HealthCheckAllInput(BaseModel):
    enabled_only: bool = True


class HealthCheckAllResult(BaseModel):
    checked: int
    healthy: int
    results: list[CheckHealthResult]


async def _check_alone(name: str) -> CheckHealthResult:
    """One connection's check, whose failure is that connection's result: a connection that
    cannot even be checked (its row gone, its configuration unusable) is reported unhealthy
    with the reason, and the checks of the others go on."""
    try:
        return await _check(name)
    except ActivityError as exc:
        cause = exc.cause
        reason = cause.message if isinstance(cause, ApplicationError) else str(cause or exc)
        return CheckHealthResult(
            integration=name, healthy=False, detail=f"could not check: {reason}"[:1000]
        )


async def _check(name: str) -> CheckHealthResult:
    info = workflow.info()
    return await workflow.execute_activity_method(
        HealthActivities.check_health,
        CheckHealthInput(integration=name, check_id=f"{info.workflow_id}/{info.run_id}/{name}"),
        start_to_close_timeout=SHORT_CALL,
        retry_policy=EXTERNAL_CALL,
    )


@workflow.defn(name="integration-health-check")
class IntegrationHealthCheck:
    @workflow.run
    async def run(self, input: HealthCheckInput) -> CheckHealthResult:
        return await _check(input.integration)


@workflow.defn(name="integration-health-check-all")
class IntegrationHealthCheckAll:
    """Started by the ``health-checks`` Temporal Schedule."""

    @workflow.run
    async def run(self, input: HealthCheckAllInput) -> HealthCheckAllResult:
        names = await workflow.execute_activity_method(
            HealthActivities.list_integrations,
            ListIntegrationsInput(enabled_only=input.enabled_only),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        results = list(await asyncio.gather(*(_check_alone(name) for name in names)))
        return HealthCheckAllResult(
            checked=len(results), healthy=sum(r.healthy for r in results), results=results
        )
