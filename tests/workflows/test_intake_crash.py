"""An ``atrium worker`` SIGKILLed in the middle of applying an intake batch: another worker
finishes the batch, every event is applied (its change is in Canvas, directly or carried by a
later event of its person) and no event's change is written twice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client

from activities.intake import BatchInput
from atrium.credentials import Credentials
from atrium.settings import Settings
from bench.events_common import PEOPLE
from bench.sync_stack import WorkerProcess, worker_env
from sandbox.app import create_app as create_sandbox
from tests.api.webhook_support import add_canvas
from tests.support.servers import serve
from tests.workflows.intake_support import canvas_email, email_event, plant, remove, rows
from workflows.event_batch import EventBatch, batch_workflow_id

# Each Canvas request takes this long: the batch (40 people, 32 written at a time) lasts a few
# seconds, long enough to kill its worker between its first writes and its last.
LATENCY_MS = 1500


class PutCounter:
    """ASGI wrapper around the sandbox: Canvas user PUTs that succeeded, per email they set
    (each event sets its own). Counted when the answer is produced, before it is sent, so a PUT
    whose client was killed meanwhile still counts."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.writes: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "PUT" or "/users/" not in scope["path"]:
            await self.app(scope, receive, send)
            return
        body = bytearray()

        async def rx() -> Any:
            message = await receive()
            body.extend(message.get("body", b""))
            return message

        async def tx(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                email = json.loads(body or b"{}").get("user", {}).get("email")
                if email:
                    self.writes[email] += 1
            await send(message)

        await self.app(scope, rx, tx)


@dataclass
class Sandbox:
    url: str
    puts: PutCounter


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    puts = PutCounter(create_sandbox(tmp_path / "sandbox", seed=42, size="demo"))
    with serve(puts) as url:
        yield Sandbox(url, puts)


class EventsWorker(WorkerProcess):
    """``atrium worker`` serving queues of its own (the events queue: the batch runs there)."""

    def start(self) -> None:
        env = {
            **worker_env(self.settings),
            "ATRIUM_TEMPORAL__EVENTS_TASK_QUEUE": self.settings.temporal.events_task_queue,
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "atrium.cli", "worker"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )


async def test_a_batch_whose_worker_is_killed_is_finished_by_another_once(
    sandbox: Sandbox,
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    suffix = uuid.uuid4().hex[:6]
    # Queues of their own: only the subprocess workers poll them.
    temporal = settings.temporal.model_copy(
        update={"task_queue": f"crash-{suffix}", "events_task_queue": f"crash-events-{suffix}"}
    )
    own = settings.model_copy(update={"temporal": temporal})
    canvas = await add_canvas(engine, credentials, sandbox.url)
    source = f"crash-{suffix}"
    # Two changes per person: the first coalesced into the second (one write, the last).
    # Claimed by the test: no API's dispatcher takes them.
    events = [email_event(p, canvas, source=source, claimed_by="test") for p in PEOPLE * 2]
    ids = plant(engine, events)
    last = {e.subject: e.input["fields"]["email"] for e in events}
    first = EventsWorker(own, tmp_path / "worker-1.log")
    second = EventsWorker(own, tmp_path / "worker-2.log")
    async with httpx.AsyncClient(base_url=sandbox.url) as control:
        await control.put("/_control/faults/canvas", json={"latency_ms": LATENCY_MS})
        try:
            first.start()
            handle = await temporal_client.start_workflow(
                EventBatch.run,
                BatchInput(process="profile-update", intake_ids=ids),
                id=batch_workflow_id("profile-update", ids),
                task_queue=temporal.events_task_queue,
            )
            # Kill once the batch has written some, not all (the worker process may take a
            # while to start on a loaded machine: the first write is what counts).
            deadline = time.monotonic() + 120
            for _ in range(12_000):
                if sandbox.puts.writes or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.01)
            first.kill()
            written_before = sum(sandbox.puts.writes.values())
            assert 0 < written_before < len(PEOPLE), written_before
            assert {r.status for r in rows(engine, source)} == {"claimed"}  # none marked yet
            await control.delete("/_control/faults/canvas")
            second.start()
            result = await asyncio.wait_for(handle.result(), 45)
        finally:
            first.kill()
            second.stop()
            await control.delete("/_control/faults/canvas")
    try:
        assert result.failed == 0, result
        twice = {email: n for email, n in sandbox.puts.writes.items() if n > 1}
        assert not twice, f"written more than once: {twice}"
        # Only the last change of each person was written (the first was coalesced into it).
        assert set(sandbox.puts.writes) <= set(last.values())
        done = rows(engine, source)
        assert [r.status for r in done] == ["done"] * len(events)
        carrier = {r.id: r.coalesced_into for r in done}
        assert all(carrier[i] == ids[n + len(PEOPLE)] for n, i in enumerate(ids[: len(PEOPLE)]))
        for person, email in last.items():  # nothing lost: Canvas holds every last change
            assert person is not None and await canvas_email(sandbox.url, person) == email
    finally:
        remove(engine, source)
        await credentials.delete(canvas)
    assert time.monotonic() - began < 60
