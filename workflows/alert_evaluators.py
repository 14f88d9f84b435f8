"""Keeping one evaluator workflow running per rule set: at worker start-up for every rule set
with an enabled rule, and from the API whenever a rule changes."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client

from atrium.db import session_scope
from atrium.models import AlertRule
from workflows.alerts import AlertEvaluator, AlertEvaluatorInput, evaluator_id


async def ensure_evaluator(client: Client, task_queue: str, rule_set: str) -> None:
    """Start the rule set's evaluator, or wake the running one (signal-with-start: a run that is
    just ending because its last rule went away sees the signal and goes on)."""
    await client.start_workflow(
        AlertEvaluator.run,
        AlertEvaluatorInput(rule_set=rule_set),
        id=evaluator_id(rule_set),
        task_queue=task_queue,
        start_signal="evaluate-now",
    )


def rule_sets(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        query = select(AlertRule.rule_set).where(AlertRule.enabled == True).distinct()  # noqa: E712
        return sorted(session.exec(query).all())


async def ensure_evaluators(client: Client, task_queue: str, engine: Engine) -> list[str]:
    """At worker start-up: an evaluator for every rule set that has an enabled rule."""
    found = rule_sets(engine)
    for rule_set in found:
        await ensure_evaluator(client, task_queue, rule_set)
    return found
