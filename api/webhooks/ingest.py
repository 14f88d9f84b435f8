"""The webhook ingest path: size cap, signature, replay window, routing rule, input mapping,
start (or join) the run, answer. Nothing here waits for the process itself, and every attempt,
accepted or not, is written to ``webhook_delivery`` after the answer is on its way.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import jmespath.exceptions
import structlog
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.events import event_key
from api.errors import validation_detail
from api.events.hub import EventHub
from api.starter import start_process
from api.webhooks.config import SourceConfig, WebhookConfig
from api.webhooks.mapping import apply_mapping, search
from api.webhooks.secrets import SourceSecrets
from atrium.credentials import CredentialError, SecretNotFound
from atrium.models import WebhookDelivery
from atrium.models.integration import utcnow
from atrium.settings import EventsSettings
from atrium.signatures import SignatureError, parse, verify
from atrium.temporal import TaskQueues
from workflows.registry import PROCESSES

log = structlog.get_logger("webhooks")

EVENT_TYPE_HEADERS = ("X-Atrium-Event", "X-GitHub-Event")
EVENT_ID_HEADERS = ("Idempotency-Key", "X-GitHub-Delivery")


class Rejected(Exception):
    def __init__(self, status: int, reason: str, outcome: str = "rejected", **extra: Any) -> None:
        super().__init__(reason)
        self.status, self.reason, self.outcome, self.extra = status, reason, outcome, extra


@dataclass
class Attempt:
    """What the delivery log keeps about one request."""

    source: str
    remote_addr: str | None
    started: float = field(default_factory=time.perf_counter)
    event_id: str | None = None
    event_type: str | None = None
    body_bytes: int = 0


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused past ``limit`` bytes whether or not Content-Length tells the truth."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise Rejected(413, f"body: larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Rejected(413, f"body: larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _text(value: Any, max_length: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if 0 < len(text) <= max_length and text.isprintable() else None


class WebhookIngest:
    def __init__(
        self,
        engine: Engine,
        config: WebhookConfig,
        secrets: SourceSecrets,
        events: EventHub,
        settings: EventsSettings,
        queues: TaskQueues,
    ) -> None:
        self.engine = engine
        self.config = config
        self.secrets = secrets
        self.events = events
        self.settings = settings
        self.queues = queues
        self._pending: list[dict[str, Any]] = []
        self._writer: asyncio.Task[None] | None = None

    async def receive(self, name: str, request: Request, client: Client) -> JSONResponse:
        attempt = Attempt(source=name, remote_addr=request.client.host if request.client else None)
        try:
            status, body, outcome, reason = await self._handle(name, request, client, attempt)
        except Rejected as rej:
            status, outcome, reason = rej.status, rej.outcome, rej.reason
            body = {"error": rej.reason, **rej.extra}
        elapsed_ms = (time.perf_counter() - attempt.started) * 1000
        self._record(attempt, status, outcome, reason, body, elapsed_ms)
        headers = {"Server-Timing": f"start;dur={body['start_ms']}"} if "start_ms" in body else None
        return JSONResponse(body, status_code=status, headers=headers)

    async def _source(self, name: str) -> SourceConfig:
        try:
            source = await self.config.source(name)
        except Exception as exc:
            log.error("webhook config unavailable", error=type(exc).__name__)
            raise Rejected(503, "webhooks: configuration store unavailable", "error") from None
        if source is None:
            raise Rejected(404, f"source: unknown webhook source {name!r}")
        if not source.enabled:
            raise Rejected(403, f"source: webhooks from {name!r} are disabled")
        return source

    async def _authenticate(self, source: SourceConfig, request: Request, body: bytes) -> None:
        try:
            signed = parse(request.headers, source.scheme)
            try:
                secret = await self.secrets.get(source.secret_name)
            except SecretNotFound:
                raise Rejected(503, "source: no signing secret in vault", "error") from None
            except CredentialError:
                raise Rejected(503, "vault: unavailable", "error") from None
            try:
                verify(signed, secret, body, time.time(), source.tolerance_seconds)
            except SignatureError as exc:
                # Maybe the secret was rotated since it was cached: re-read once, then decide.
                fresh = await self.secrets.refreshed(source.secret_name)
                if fresh is None or fresh == secret or "match" not in exc.reason:
                    raise
                verify(signed, fresh, body, time.time(), source.tolerance_seconds)
        except SignatureError as exc:
            raise Rejected(exc.status, exc.reason) from None

    def _identify(
        self, source: SourceConfig, request: Request, event: Any, attempt: Attempt
    ) -> tuple[str, str]:
        event_type = _text(search(source.event_type, event), 200)
        event_id = _text(search(source.event_id, event), 255)
        for header in EVENT_TYPE_HEADERS:
            event_type = event_type or _text(request.headers.get(header), 200)
        for header in EVENT_ID_HEADERS:
            event_id = event_id or _text(request.headers.get(header), 255)
        attempt.event_type, attempt.event_id = event_type, event_id
        if event_type is None:
            raise Rejected(400, "event type: missing: in the body or an X-Atrium-Event header")
        if event_id is None:
            raise Rejected(400, "event id: missing: in the body or an Idempotency-Key header")
        return event_type, event_id

    async def _handle(
        self, name: str, request: Request, client: Client, attempt: Attempt
    ) -> tuple[int, dict[str, Any], str, str]:
        source = await self._source(name)
        raw = await read_limited(request, self.settings.webhook_max_body_bytes)
        attempt.body_bytes = len(raw)
        await self._authenticate(source, request, raw)
        try:
            event = json.loads(raw)
        except ValueError:
            raise Rejected(400, "body: malformed JSON") from None
        if not isinstance(event, dict):
            raise Rejected(400, "body: must be a JSON object")
        event_type, event_id = self._identify(source, request, event, attempt)
        rule = source.rules.get(event_type)
        if rule is None:
            reason = f"no routing rule for event type {event_type!r}"
            answer = {"status": "unrouted", "event_id": event_id, "reason": reason}
            return 200, answer, "unrouted", reason
        process = PROCESSES.get(rule.process)
        if process is None:
            raise Rejected(422, f"rule: process {rule.process!r} is not registered", "error")
        try:
            arg = process.input_model.model_validate(apply_mapping(rule.mapping, event))
        except jmespath.exceptions.JMESPathError as exc:
            raise Rejected(422, f"input_mapping: cannot evaluate: {exc}") from None
        except ValidationError as exc:
            fields = validation_detail(exc.errors())  # type: ignore[arg-type]
            for f in fields:
                f["field"] = f"input.{f['field']}" if f["field"] != "body" else "input"
            summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
            raise Rejected(422, f"invalid input: {summary}", fields=fields) from None
        workflow_id = f"{process.workflow_id(arg)}:{name}:{event_key(event_id)}"
        if len(workflow_id) > 255:
            workflow_id = f"webhook:{hashlib.sha256(workflow_id.encode()).hexdigest()}"
        return await self._start(
            client, process.name, arg, workflow_id, attempt, event_type, event_id
        )

    async def _start(
        self,
        client: Client,
        process_name: str,
        arg: Any,
        workflow_id: str,
        attempt: Attempt,
        event_type: str,
        event_id: str,
    ) -> tuple[int, dict[str, Any], str, str]:
        process = PROCESSES[process_name]
        answer: dict[str, Any] = {
            "workflow_id": workflow_id,
            "process": process_name,
            "event_id": event_id,
            "event_type": event_type,
        }
        try:
            handle, started = await start_process(
                client,
                self.queues,
                process,
                arg,
                workflow_id=workflow_id,
                # The same event after its run finished must not run again: refuse, then join.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                announce=await self.events.announced(),
                rpc_timeout=timedelta(seconds=self.settings.webhook_start_timeout_seconds),
            )
            run_id = handle.result_run_id
        except WorkflowAlreadyStartedError as exc:
            started, run_id = False, exc.run_id
        except (RPCError, TimeoutError) as exc:
            log.error("webhook start failed", workflow_id=workflow_id, error=type(exc).__name__)
            raise Rejected(503, "temporal: unavailable, retry later", "error") from None
        answer["run_id"] = run_id
        answer["start_ms"] = round((time.perf_counter() - attempt.started) * 1000, 2)
        if not started:
            return 200, {"status": "duplicate", **answer}, "duplicate", "joined the existing run"
        self.events.run_started(
            client, process_name, workflow_id, run_id, source=attempt.source, event_id=event_id
        )
        return 202, {"status": "started", **answer}, "started", ""

    def _record(
        self,
        attempt: Attempt,
        status: int,
        outcome: str,
        reason: str,
        body: dict[str, Any],
        elapsed_ms: float,
    ) -> None:
        row = {
            "source": attempt.source[:63],
            "event_id": attempt.event_id,
            "event_type": attempt.event_type,
            "outcome": outcome,
            "status_code": status,
            "reason": reason[:1000],
            "workflow_id": body.get("workflow_id"),
            "run_id": body.get("run_id"),
            "remote_addr": (attempt.remote_addr or "")[:64] or None,
            "body_bytes": attempt.body_bytes,
            "latency_ms": round(elapsed_ms, 2),
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
