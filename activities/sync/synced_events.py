"""``record.synced``: one event per record a sync wrote, for the subscriptions that want it.

Published from the page activity once the target confirmed the write and the store moved, so an
event never announces a write that did not happen. The event id comes from (run, record,
version): a retried page announces again, and Temporal refuses the second delivery of each id
(activities/events.py), so a subscriber gets each write once. Unchanged records announce
nothing; without subscribers to ``record.synced`` this costs one cached lookup per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from temporalio import activity

from activities.sync.context import SyncContext, heartbeat
from atrium.events.envelope import EventEnvelope, envelope

CHUNK = 500  # deliveries started between two heartbeats
Action = Literal["created", "updated", "deactivated"]


@dataclass(frozen=True)
class SyncedRecord:
    source_id: str
    target_id: str | None
    action: Action
    version: str


def record_synced(
    run: str, source: str, target: str, record_type: str, record: SyncedRecord
) -> EventEnvelope:
    info = activity.info()
    return envelope(
        "record.synced",
        {
            "workflow_id": info.workflow_id,
            "run_id": info.workflow_run_id,
            "process": info.workflow_type,
            "source": source,
            "integration": target,
            "record_type": record_type,
            "source_id": record.source_id,
            "target_id": record.target_id,
            "action": record.action,
        },
        event_id=f"record.synced:{run}:{record_type}/{record.source_id}:{record.version}",
    )


async def announce_synced(
    ctx: SyncContext,
    run: str,
    source: str,
    target: str,
    record_type: str,
    records: Iterable[SyncedRecord],
) -> int:
    """Start the deliveries; returns how many started now."""
    if ctx.events is None or not await ctx.events.wants("record.synced"):
        return 0  # (before building a million envelopes for nobody)
    events = [record_synced(run, source, target, record_type, r) for r in records]
    started = 0
    for at in range(0, len(events), CHUNK):
        started += await ctx.events.fan_out(events[at : at + CHUNK])
        heartbeat(f"{record_type}: announced {min(at + CHUNK, len(events))}/{len(events)}")
    return started
