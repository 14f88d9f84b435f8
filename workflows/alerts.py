"""The alert evaluator: one long-running workflow per rule set (``alerts-<rule set>``).

Every few seconds it refreshes the health of the connections its rules watch whose recorded check
is too old (a child ``integration-health-check`` each), evaluates the rules, and delivers what
the alerts owe (email, chat, outbound event), each delivery on its own so one slow channel delays
no other. A timer loop, not a cron: a condition is seen within ``every_seconds`` plus a probe.
It continues as new every ``ticks_per_run`` ticks (or when Temporal suggests it) to keep its
history bounded, and ends when its rule set has no enabled rule left (the API starts it again
when a rule is added).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from activities.alerts import AlertActivities, DeliveryResult, RuleSetInput
    from atrium.alerting.state import Notice
    from workflows.announce import MEMO_KEY, memo
    from workflows.health_check import HealthCheckInput, IntegrationHealthCheck
    from workflows.policies import LOCAL_STORE, SHORT_CALL

EVALUATOR_WORKFLOW = "alert-evaluator"
# A delivery that fails is tried again at the next tick (it is still owed), so retries stay short.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_attempts=3,
    non_retryable_error_types=["NotFound", "InvalidRequest", "AuthError", "Disabled"],
)


def evaluator_id(rule_set: str) -> str:
    return f"alerts-{rule_set}"


class AlertEvaluatorInput(BaseModel):
    rule_set: str = Field("default", min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    # Seen within one tick plus a probe, delivered within seconds: the 15 s promise. A check
    # younger than ``probe_after_seconds`` (the schedule's, another rule set's) is reused.
    every_seconds: float = Field(3.0, ge=1.0, le=300.0)
    probe_after_seconds: float = Field(2.5, ge=1.0, le=3600.0)
    ticks_per_run: int = Field(100, ge=1, le=10_000)


class AlertEvaluatorResult(BaseModel):
    ticks: int
    reason: str  # "no rules" | "continued"


@workflow.defn(name=EVALUATOR_WORKFLOW)
class AlertEvaluator:
    def __init__(self) -> None:
        self._wake = False

    @workflow.signal(name="evaluate-now")
    def evaluate_now(self) -> None:
        """A rule changed or a person acknowledged: evaluate without waiting for the timer."""
        self._wake = True

    @workflow.run
    async def run(self, input: AlertEvaluatorInput) -> AlertEvaluatorResult:
        rules = RuleSetInput(rule_set=input.rule_set, probe_after_seconds=input.probe_after_seconds)
        for tick in range(1, input.ticks_per_run + 1):
            self._wake = False
            try:
                stale = await workflow.execute_activity_method(
                    AlertActivities.stale_targets,
                    rules,
                    start_to_close_timeout=SHORT_CALL,
                    retry_policy=LOCAL_STORE,
                )
                if stale.rules == 0 and not self._wake:
                    return AlertEvaluatorResult(ticks=tick, reason="no rules")
                await asyncio.gather(*(_probe(name) for name in stale.integrations))
                evaluation = await workflow.execute_activity_method(
                    AlertActivities.evaluate,
                    rules,
                    start_to_close_timeout=SHORT_CALL,
                    retry_policy=LOCAL_STORE,
                )
                await asyncio.gather(*(_deliver(notice) for notice in evaluation.owed))
            except ActivityError as err:  # the store or Temporal's visibility is away: next tick
                workflow.logger.warning("alert evaluation of %s failed: %s", input.rule_set, err)
            if workflow.info().is_continue_as_new_suggested():
                break
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: self._wake, timeout=timedelta(seconds=input.every_seconds)
                )
        workflow.continue_as_new(input)


async def _probe(name: str) -> None:
    """A fresh health check of one connection, recorded like any other (its own events too)."""
    try:
        await workflow.execute_child_workflow(
            IntegrationHealthCheck.run,
            HealthCheckInput(integration=name),
            id=f"alert-probe-{name}-{workflow.uuid4().hex[:12]}",
            execution_timeout=timedelta(seconds=60),
            memo={MEMO_KEY: memo([])},  # a probe every few seconds is no run news
        )
    except ChildWorkflowError as err:
        workflow.logger.warning("probe of %s failed: %s", name, err.cause or err)


async def _deliver(notice: Notice) -> DeliveryResult | None:
    try:
        return await workflow.execute_activity_method(
            AlertActivities.deliver,
            notice,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DELIVERY_RETRY,
        )
    except ActivityError as err:  # still owed: the next tick tries again
        workflow.logger.warning(
            "alert %s %s by %s not delivered: %s",
            notice.alert_id,
            notice.transition,
            notice.channel,
            err.cause or err,
        )
        return None
