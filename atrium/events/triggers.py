"""Designed processes started by events of other runs (atrium/models/trigger.py), evaluated
where events are published (``EventActivities.fan_out``: ``run.completed`` and ``run.failed``
announced by every run, ``record.synced`` by the sync engine, ``integration.unhealthy`` and
``.recovered`` by health checks).

Each (trigger, event) starts at most one run: its workflow id is built from the trigger and the
event id, and Temporal refuses a second start of it, even after the first run finished, so a
republished event (a retried publish) starts nothing new. A designed process is never started by
the events of its own runs (that would loop).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from atrium.db import session_scope
from atrium.designer.expressions import ExpressionError, evaluate, truthy
from atrium.designer.runs import WORKFLOW_TYPE, DesignedRunInput, designed_subject
from atrium.designer.starts import StartRefused, designed_run
from atrium.events.envelope import EventEnvelope, event_key
from atrium.models.trigger import ProcessTrigger
from atrium.temporal import PROCESS, SUBJECT
from atrium.ttl_cache import TTLCache

log = structlog.get_logger("events.triggers")


@dataclass(frozen=True)
class Trigger:
    id: int
    process: str
    event_type: str
    filter: str
    input_mapping: dict[str, Any]
    version: int | None


class TriggerDirectory:
    """The enabled triggers, cached for a few seconds so publishing costs no query per event."""

    def __init__(self, engine: Engine, ttl: float = 5.0) -> None:
        self.engine = engine
        self._cache: TTLCache[str, list[Trigger]] = TTLCache(ttl, self._load)

    def _query(self) -> list[Trigger]:
        with session_scope(self.engine) as session:
            rows = session.exec(select(ProcessTrigger).where(ProcessTrigger.enabled == True)).all()  # noqa: E712
            return [
                Trigger(
                    id=int(r.id or 0),
                    process=r.process,
                    event_type=r.event_type,
                    filter=r.filter,
                    input_mapping=dict(r.input_mapping),
                    version=r.version,
                )
                for r in rows
            ]

    async def _load(self, _: str) -> list[Trigger]:
        return await asyncio.to_thread(self._query)

    def invalidate(self) -> None:
        self._cache.invalidate()

    async def matching(self, event_type: str) -> list[Trigger]:
        return [t for t in await self._cache.get("all") if t.event_type == event_type]


def mapped(mapping: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """A webhook rule's input mapping, over the event: field -> JMESPath (a nested object nests;
    an expression finding nothing leaves its field out)."""
    out: dict[str, Any] = {}
    for key, expression in mapping.items():
        if isinstance(expression, dict):
            value: Any = mapped(expression, event)
        else:
            value = evaluate(str(expression), event)
        if value not in (None, {}):
            out[key] = value
    return out


def wants(trigger: Trigger, event: EventEnvelope) -> bool:
    """Whether the event starts the trigger's process: never its own runs' events (a loop)."""
    if str(event.data.get("workflow_id", "")).startswith(f"designed:{trigger.process}:"):
        return False
    if not trigger.filter:
        return True
    return truthy(evaluate(trigger.filter, event.model_dump(mode="json")))


def triggered_run(engine: Engine, trigger: Trigger, event: EventEnvelope) -> DesignedRunInput:
    given = mapped(trigger.input_mapping, event.model_dump(mode="json"))
    run_key = hashlib.sha256(f"{trigger.id}:{event.id}".encode()).hexdigest()[:32]
    with session_scope(engine) as session:
        return designed_run(
            session,
            trigger.process,
            trigger.version,
            given,
            started_by=f"event:{event.type}",
            run_key=run_key,
        )


def triggered_workflow_id(trigger: Trigger, event: EventEnvelope) -> str:
    return f"designed:{trigger.process}:trigger{trigger.id}:{event_key(event.id)}"


async def start_triggered(
    client: Client,
    task_queue: str,
    directory: TriggerDirectory,
    events: list[EventEnvelope],
) -> list[str]:
    """Start the run of every (enabled trigger, event) that matches; the workflow ids started
    now. A trigger that cannot start (its process has no published version, the mapped input
    does not fit) is logged and skipped: the publisher's own work stands."""
    started: list[str] = []
    for kind in {e.type for e in events}:
        triggers = await directory.matching(kind)
        for event in (e for e in events if e.type == kind):
            for trigger in triggers:
                if workflow_id := await _start_one(client, task_queue, directory, trigger, event):
                    started.append(workflow_id)
    return started


async def _start_one(
    client: Client,
    task_queue: str,
    directory: TriggerDirectory,
    trigger: Trigger,
    event: EventEnvelope,
) -> str | None:
    try:
        if not wants(trigger, event):
            return None
        arg = await asyncio.to_thread(triggered_run, directory.engine, trigger, event)
    except (ExpressionError, StartRefused) as exc:
        log.warning("trigger not started", trigger=trigger.id, event_id=event.id, error=str(exc))
        return None
    workflow_id = triggered_workflow_id(trigger, event)
    attributes = TypedSearchAttributes(
        [
            SearchAttributePair(PROCESS, WORKFLOW_TYPE),
            SearchAttributePair(SUBJECT, designed_subject(arg.name, arg.version)),
        ]
    )
    try:
        await client.start_workflow(
            WORKFLOW_TYPE,
            arg,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=attributes,
        )
    except WorkflowAlreadyStartedError:
        return None  # this event started this trigger's run before
    log.info("trigger started", trigger=trigger.id, event_id=event.id, workflow_id=workflow_id)
    return workflow_id
