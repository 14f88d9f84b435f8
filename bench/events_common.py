"""What the events benchmarks share: the events they send, the sandbox wrapper that sees each
event's effect land in Canvas, and the figures computed from both."""

from __future__ import annotations

import asyncio
import json
import math
import time
from pathlib import Path
from typing import Any

from atrium.db import make_engine

SECRET = "bench-events-webhook-secret-0123456789"
PEOPLE = [f"U{n:05d}" for n in range(2, 42)]  # sandbox demo users
CONNECTIONS = 32


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


class PutRecorder:
    """ASGI wrapper around the sandbox: when a Canvas user PUT finishes with 200, note the time
    against the email it set (each event sets a unique one)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.done: dict[str, float] = {}
        self.writes: dict[str, int] = {}  # PUTs per email: more than one is a duplicated effect

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "PUT" or "/api/v1/users/" not in path:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        status = 0

        async def rx() -> Any:
            message = await receive()
            body.extend(message.get("body", b""))
            return message

        async def tx(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)
            last = message["type"] == "http.response.body" and not message.get("more_body")
            if last and status == 200:
                email = json.loads(body or b"{}").get("user", {}).get("email")
                if email:
                    self.done.setdefault(email, time.perf_counter())
                    self.writes[email] = self.writes.get(email, 0) + 1

        await self.app(scope, rx, tx)


def applied_at(sent: dict[str, float], done: dict[str, float]) -> dict[str, float]:
    """When each event's effect was in Canvas: its own PUT, or the first PUT of a later event
    of the same person (coalesced in a batch: three email changes, one write, the last).
    Emails are ``<tag>-<n>@...``; one person's events are n, n + len(PEOPLE), ... in send order.
    """
    by_person: dict[str, list[tuple[int, str]]] = {}
    for email in sent:
        n = int(email.split("@")[0].rsplit("-", 1)[1])
        by_person.setdefault(PEOPLE[n % len(PEOPLE)], []).append((n, email))
    applied: dict[str, float] = {}
    for events in by_person.values():
        earliest_later = math.inf
        for _, email in sorted(events, reverse=True):
            earliest_later = min(earliest_later, done.get(email, math.inf))
            if earliest_later < math.inf:
                applied[email] = earliest_later
    return applied


def out_of_order(database_url: str, canvas_db: Path) -> int:
    """People whose email in Canvas is not their last event's (intake order): a person's events
    applied out of order, an earlier change written after a later one."""
    import sqlite3

    from sqlalchemy import select

    from atrium.models import IntakeEvent

    t = IntakeEvent.__table__  # type: ignore[attr-defined]
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            last = {
                r.subject: r.input["fields"]["email"]
                for r in conn.execute(select(t.c.subject, t.c.input).order_by(t.c.id))
            }
    finally:
        engine.dispose()
    with sqlite3.connect(canvas_db) as canvas:
        held = dict(
            canvas.execute(
                "SELECT l.sis_user_id, u.email FROM users u JOIN logins l ON l.user_id = u.id"
            ).fetchall()
        )
    return sum(1 for person, email in last.items() if held.get(person) != email)


async def sample_backlog(database_url: str, every: float, into: list[int]) -> None:
    """The intake's depth (events committed, not yet applied), once per ``every`` seconds."""
    from atrium.intake.store import IntakeStore

    engine = make_engine(database_url)
    store = IntakeStore(engine)
    try:
        while True:
            depth = await asyncio.to_thread(store.depth)
            into.append(depth["pending"] + depth["claimed"])
            await asyncio.sleep(every)
    finally:
        engine.dispose()


def figures(
    sent: dict[str, float],
    recorder: PutRecorder,
    *,
    sent_seconds: float,
    drained: float,
    statuses: dict[str, int],
    backlog: list[int],
    answer_ms: list[float],
    start_ms: list[float],
    failures: list[str],
    windows: dict[int, list[float]] | None = None,
) -> dict[str, Any]:
    """One run's figures from what was sent and what landed in Canvas (drive() and flood())."""
    applied = applied_at(sent, recorder.done)
    e2e = [(applied[e] - t) * 1000 for e, t in sent.items() if e in applied]
    return {
        "windows": windows or {},
        "sent": len(sent),
        "accepted_per_s": len(answer_ms) / max(sent_seconds, 1e-9),
        "drain_s": drained,
        "statuses": statuses,
        "backlog_max": max(backlog, default=0),
        "backlog_end_of_send": backlog[min(len(backlog) - 1, int(sent_seconds))] if backlog else 0,
        "coalesced": sum(1 for e in sent if e in applied and e not in recorder.done),
        "duplicated": sum(1 for e in sent if recorder.writes.get(e, 0) > 1),
        "lost": len(sent) - len(e2e),
        "failures": failures,
        "start_ms": start_ms,
        "answer_ms": answer_ms,
        "e2e_ms": e2e,
    }
