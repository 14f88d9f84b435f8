"""The webhook delivery log: one ``webhook_delivery`` row per request to an intake endpoint,
accepted or not, written after the answer is on its way (what the console's deliveries page
lists). Nothing secret goes in: no header values, no body, no secret."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from api.events.hub import EventHub
from atrium.models import WebhookDelivery
from atrium.models.integration import utcnow

log = structlog.get_logger("webhooks")


@dataclass
class Attempt:
    """What the delivery log keeps about one request."""

    source: str  # a source's name, or "<vendor>/<integration>"
    remote_addr: str | None
    started: float = field(default_factory=time.perf_counter)
    event_id: str | None = None
    event_type: str | None = None
    body_bytes: int = 0


class DeliveryLog:
    def __init__(self, engine: Engine, events: EventHub) -> None:
        self.engine = engine
        self.events = events
        self._pending: list[dict[str, Any]] = []
        self._writer: asyncio.Task[None] | None = None

    def record(
        self, attempt: Attempt, status: int, outcome: str, reason: str, body: dict[str, Any]
    ) -> None:
        row = {
            "source": attempt.source[:127],
            "event_id": attempt.event_id,
            "event_type": attempt.event_type,
            "outcome": outcome,
            "status_code": status,
            "reason": reason[:1000],
            "workflow_id": body.get("workflow_id"),
            "run_id": body.get("run_id"),
            "remote_addr": (attempt.remote_addr or "")[:64] or None,
            "body_bytes": attempt.body_bytes,
            "latency_ms": round((time.perf_counter() - attempt.started) * 1000, 2),
            "received_at": utcnow(),
        }
        log_line = log.info if status < 400 else log.warning
        log_line(
            "webhook",
            source=row["source"],
            outcome=outcome,
            status=status,
            reason=reason,
            event_id=row["event_id"],
            workflow_id=row["workflow_id"],
        )
        self.events.stream(
            "webhook.received",
            {
                "source": row["source"],
                "outcome": outcome,
                "status": status,
                "event_type": row["event_type"],
                "event_id": row["event_id"],
                "workflow_id": row["workflow_id"],
            },
        )
        # Rows wait for one writer that commits them in batches: under load that is one SQLite
        # transaction per batch instead of one per webhook, and no thread per request.
        self._pending.append(row)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self._write, batch)
            except Exception as exc:
                log.error(
                    "webhook delivery log write failed", error=type(exc).__name__, rows=len(batch)
                )

    def _write(self, rows: list[dict[str, Any]]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(WebhookDelivery), rows)

    async def drain(self) -> None:
        """Let pending delivery-log writes finish (shutdown, tests), a few seconds at most."""
        if self._writer is not None:
            await asyncio.wait({self._writer}, timeout=5.0)
