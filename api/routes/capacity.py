"""Capacity advice: what to add or change before the workers or a connection's budget run short,
each with the figures it rests on (atrium/capacity/)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import EngineDep, SettingsDep, TemporalDep
from api.security import require
from atrium.capacity.advise import CapacityReport, report

router = APIRouter(tags=["capacity"])
QUEUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@router.get("/capacity", response_model=CapacityReport, dependencies=[require("metrics:read")])
async def capacity(
    settings: SettingsDep,
    engine: EngineDep,
    client: TemporalDep,
    task_queue: Annotated[
        list[str] | None,
        Query(max_length=10, description="further task queues to examine (beside Atrium's own)"),
    ] = None,
) -> CapacityReport:
    """Advice from the task queues' backlog, the workers' slots, the calendar's past peaks and
    each connection's outbound waits and 429s over the last ``capacity.window_hours``."""
    queues = [settings.temporal.task_queue, settings.temporal.events_task_queue]
    for extra in task_queue or []:
        if not QUEUE.fullmatch(extra):
            raise HTTPException(422, f"task_queue: {extra[:50]!r} is not a task queue name")
        if extra not in queues:
            queues.append(extra)
    return await report(engine, client, queues, settings.capacity, settings.outbound)
