"""What every Canvas route needs: the system context and the database, as a FastAPI dependency."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from sandbox.canvas.db import Database
from sandbox.context import SystemContext


@dataclass
class CanvasState:
    ctx: SystemContext
    db: Database
    # Background jobs (SIS imports, grade updates) run one at a time, as Canvas queues them.
    job_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, coro: object) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self.tasks.add(task)  # keep a reference so the task is not garbage-collected
        task.add_done_callback(self.tasks.discard)


def get_state(request: Request) -> CanvasState:
    state: CanvasState = request.app.state.canvas
    return state


State = Annotated[CanvasState, Depends(get_state)]
