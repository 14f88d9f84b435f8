"""The term-start burst: ``count`` signed events sent as fast as the intake accepts them.

Senders behave as a SIS's webhook client should: a bounded number in flight, and a 429 answer
(the intake's backpressure) is retried after a pause instead of counted as lost. The e2e time of
an event runs from its first attempt to its effect in Canvas."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from atrium.signatures import sign_headers
from bench.events_common import (
    CONNECTIONS,
    PEOPLE,
    SECRET,
    PutRecorder,
    applied_at,
    figures,
    sample_backlog,
)
from bench.lean_http import LeanClient, LeanHttpError

IN_FLIGHT = 64
RETRY_PAUSE = 0.5  # seconds; the intake's Retry-After is of this order


async def flood(
    api_url: str,
    count: int,
    recorder: PutRecorder,
    tag: str,
    database_url: str | None = None,
    drain_seconds: float = 600,
) -> dict[str, Any]:
    """Send ``count`` events with ``IN_FLIGHT`` senders; collect the same figures as drive()."""
    sent: dict[str, float] = {}
    statuses: dict[str, int] = {}
    answer_ms: list[float] = []
    start_ms: list[float] = []
    failures: list[str] = []
    refusals = 0
    backlog: list[int] = []
    sampler = (
        asyncio.create_task(sample_backlog(database_url, 1.0, backlog)) if database_url else None
    )
    todo: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        todo.put_nowait(n)
    http = LeanClient(api_url, CONNECTIONS)

    async def sender() -> None:
        nonlocal refusals
        while not todo.empty():
            n = todo.get_nowait()
            email = f"{tag}-{n}@bench.example.edu"
            event = {
                "id": f"evt-{tag}-{n}",
                "type": "person.updated",
                "data": {"person_id": PEOPLE[n % len(PEOPLE)], "email": email},
            }
            body = json.dumps(event).encode()
            first = time.perf_counter()
            sent[email] = first
            for _ in range(600):  # bounded: five minutes of 429s is a failure
                headers = {"Content-Type": "application/json"}
                headers |= sign_headers(SECRET, int(time.time()), body)
                try:
                    status, answer = await asyncio.wait_for(
                        http.post("/api/v1/webhooks/sis", body, headers), 30
                    )
                except (OSError, TimeoutError, LeanHttpError, asyncio.IncompleteReadError) as exc:
                    failures.append(type(exc).__name__)
                    break
                if status == 429:
                    refusals += 1
                    await asyncio.sleep(RETRY_PAUSE)
                    continue
                answer_ms.append((time.perf_counter() - first) * 1000)
                if status != 202:
                    failures.append(f"HTTP {status}: {answer[:200]!r}")
                    break
                accepted = json.loads(answer)
                statuses[accepted["status"]] = statuses.get(accepted["status"], 0) + 1
                start_ms.append(float(accepted["start_ms"]))
                break

    t0 = time.perf_counter()
    try:
        await asyncio.gather(*(sender() for _ in range(IN_FLIGHT)))
    finally:
        await http.aclose()
    sent_seconds = time.perf_counter() - t0
    deadline = time.perf_counter() + drain_seconds
    while time.perf_counter() < deadline and len(applied_at(sent, recorder.done)) < len(sent):  # noqa: ASYNC110 - another thread fills it
        await asyncio.sleep(0.2)
    drained = time.perf_counter() - t0
    if sampler is not None:
        sampler.cancel()
    return figures(
        sent,
        recorder,
        sent_seconds=sent_seconds,
        drained=drained,
        statuses=statuses | {"429 (retried)": refusals},
        backlog=backlog,
        answer_ms=answer_ms,
        start_ms=start_ms,
        failures=failures,
    )
