"""The one intake of signed webhooks, for webhook sources and vendors alike: who is calling,
size cap, signature, replay window, JSON body, then what the sender's events do (a source's
routing rule starts or joins a run; a vendor's adapter signals the run it belongs to). Nothing
here waits for a process, and every attempt, accepted or not, is written to the delivery log
after the answer is on its way.

A source's routed event is answered 202 only once it is committed to the intake log
(atrium/intake/store.py, group commit); then it starts its own run at once, or, under load, waits
for the dispatcher to apply it in a batch run (api/webhooks/dispatcher.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jmespath.exceptions
import structlog
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from api.errors import validation_detail
from api.events.hub import EventHub
from api.starter import start_process
from api.webhooks.config import SourceConfig, WebhookConfig
from api.webhooks.delivery_log import Attempt, DeliveryLog
from api.webhooks.dispatcher import Dispatcher
from api.webhooks.mapping import apply_mapping, search
from api.webhooks.rejected import Answer, Rejected, text
from api.webhooks.secrets import SigningSecrets
from api.webhooks.vendors import VENDORS, Vendor
from atrium.credentials import CredentialError, SecretNotFound
from atrium.db import session_scope
from atrium.designer.runs import DesignedRunInput
from atrium.designer.starts import StartRefused, designed_name, designed_run
from atrium.events.envelope import event_key
from atrium.intake.store import Accepted, Claimed, IntakeStore, NewEvent
from atrium.metrics import intake as metrics
from atrium.security_events import ThreatMonitor
from atrium.settings import EventsSettings, IntakeSettings
from atrium.signatures import FORMATS, HeaderFormat, SignatureError, Signed, parse, verify
from atrium.temporal import TaskQueues
from atrium.webhook_secrets import WebhookSecretKey, source_key, vendor_key
from workflows.designed_process import PROCESS as DESIGNED
from workflows.registry import PROCESSES, Process

log = structlog.get_logger("webhooks")

EVENT_TYPE_HEADERS = ("X-Atrium-Event", "X-GitHub-Event")
EVENT_ID_HEADERS = ("Idempotency-Key", "X-GitHub-Delivery")

Dispatch = Callable[[dict[str, Any], Request, Client, Attempt], Awaitable[Answer]]


def _registered(name: str) -> Process:
    """A rule's process: a built-in one, or the interpreter of designed ones."""
    return DESIGNED if name == DESIGNED.name else PROCESSES[name]


@dataclass(frozen=True)
class Sender:
    """Who may call an intake endpoint: how it signs, with which secret, what its events do."""

    format: HeaderFormat
    secret: WebhookSecretKey
    tolerance_seconds: int
    missing_secret: Rejected  # the answer when Vault holds no secret for it
    dispatch: Dispatch


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused past ``limit`` bytes whether or not Content-Length tells the truth."""
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and len(length) < 20 and int(length) > limit:
        raise Rejected(413, f"body: larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Rejected(413, f"body: larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class WebhookIngest:
    def __init__(
        self,
        engine: Engine,
        config: WebhookConfig,
        secrets: SigningSecrets,
        events: EventHub,
        settings: EventsSettings,
        queues: TaskQueues,
        intake: IntakeSettings | None = None,
        client: Callable[[], Client] | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.secrets = secrets
        self.events = events
        self.settings = settings
        self.queues = queues
        self.deliveries = DeliveryLog(engine, events)
        self.intake = Dispatcher(
            IntakeStore(engine),
            intake or IntakeSettings(),
            queues,
            client or (lambda: self._no_client()),
            self._start_claimed,
        )

    @staticmethod
    def _no_client() -> Client:
        raise RuntimeError("no Temporal client for the intake dispatcher")

    # --- the one intake -----------------------------------------------------------------------
    async def receive_source(self, name: str, request: Request, client: Client) -> JSONResponse:
        return await self._receive(name, lambda: self._source_sender(name), request, client)

    async def receive_vendor(
        self, vendor: str, integration: str, request: Request, client: Client
    ) -> JSONResponse:
        label = f"{vendor}/{integration}"
        return await self._receive(
            label, lambda: self._vendor_sender(VENDORS[vendor], integration), request, client
        )

    async def _receive(
        self,
        label: str,
        resolve: Callable[[], Awaitable[Sender]],
        request: Request,
        client: Client,
    ) -> JSONResponse:
        attempt = Attempt(source=label, remote_addr=request.client.host if request.client else None)
        known: str | None = None  # the metric's source label: only a configured sender's name
        threats: ThreatMonitor | None = getattr(request.app.state, "threats", None)
        try:
            sender = await resolve()
            known = label
            if threats is not None and await threats.refused_until("pause_source", label):
                raise Rejected(403, "source: paused after a burst of bad signatures, try later")
            signed = self._signed(sender, request)  # a malformed header costs no body read
            raw = await read_limited(request, self.settings.webhook_max_body_bytes)
            attempt.body_bytes = len(raw)
            await self._authenticate(sender, signed, raw)
            try:
                event = json.loads(raw)
            except ValueError:
                raise Rejected(400, "body: malformed JSON") from None
            if not isinstance(event, dict):
                raise Rejected(400, "body: must be a JSON object")
            status, body, outcome, reason = await sender.dispatch(event, request, client, attempt)
        except Rejected as rej:
            status, outcome, reason = rej.status, rej.outcome, rej.reason
            body = {"error": rej.reason, **rej.extra}
            if threats is not None and known and rej.status in (400, 401) and "header" in rej.extra:
                await threats.signature_failed(label, attempt.remote_addr)  # a burst: an event
        self.deliveries.record(attempt, status, outcome, reason, body)
        metrics.webhook(known, status)
        headers = {"Server-Timing": f"start;dur={body['start_ms']}"} if "start_ms" in body else {}
        if status == 429 and "retry_after" in body:  # senders retry after this many seconds
            headers["Retry-After"] = str(body["retry_after"])
        return JSONResponse(body, status_code=status, headers=headers)

    @staticmethod
    def _signed(sender: Sender, request: Request) -> Signed:
        try:
            return parse(request.headers, sender.format)
        except SignatureError as exc:
            raise Rejected(exc.status, exc.reason, header=exc.header) from None

    async def _authenticate(self, sender: Sender, signed: Signed, body: bytes) -> None:
        header = sender.format.header
        try:
            secret = await self.secrets.get(sender.secret)
        except SecretNotFound:
            raise sender.missing_secret from None
        except CredentialError:
            raise Rejected(503, "vault: unavailable", "error") from None
        now, window = time.time(), sender.tolerance_seconds
        try:
            try:
                verify(signed, secret, body, now, window, header)
            except SignatureError as exc:
                # Maybe the secret was rotated since it was cached: re-read once, then decide.
                fresh = await self.secrets.refreshed(sender.secret)
                if fresh is None or fresh == secret or "match" not in exc.reason:
                    raise
                verify(signed, fresh, body, now, window, header)
        except SignatureError as exc:
            raise Rejected(exc.status, exc.reason, header=header) from None

    # --- webhook sources: a routing rule starts (or joins) a run ------------------------------
    async def _source_sender(self, name: str) -> Sender:
        try:
            source = await self.config.source(name)
        except Exception as exc:
            log.error("webhook config unavailable", error=type(exc).__name__)
            raise Rejected(503, "webhooks: configuration store unavailable", "error") from None
        if source is None:
            raise Rejected(404, f"source: unknown webhook source {name!r}")
        if not source.enabled:
            raise Rejected(403, f"source: webhooks from {name!r} are disabled")

        async def dispatch(
            event: dict[str, Any], request: Request, client: Client, attempt: Attempt
        ) -> Answer:
            return await self._route(source, event, request, client, attempt)

        return Sender(
            format=FORMATS[source.scheme],
            secret=source_key(name, legacy=source.secret_name == f"webhook-{name}"),
            tolerance_seconds=source.tolerance_seconds,
            missing_secret=Rejected(503, "source: no signing secret in vault", "error"),
            dispatch=dispatch,
        )

    def _identify(
        self, source: SourceConfig, request: Request, event: Any, attempt: Attempt
    ) -> tuple[str, str]:
        event_type = text(search(source.event_type, event), 200)
        event_id = text(search(source.event_id, event), 255)
        for header in EVENT_TYPE_HEADERS:
            event_type = event_type or text(request.headers.get(header), 200)
        for header in EVENT_ID_HEADERS:
            event_id = event_id or text(request.headers.get(header), 255)
        attempt.event_type, attempt.event_id = event_type, event_id
        if event_type is None:
            raise Rejected(400, "event type: missing: in the body or an X-Atrium-Event header")
        if event_id is None:
            raise Rejected(400, "event id: missing: in the body or an Idempotency-Key header")
        return event_type, event_id

    async def _route(
        self,
        source: SourceConfig,
        event: dict[str, Any],
        request: Request,
        client: Client,
        attempt: Attempt,
    ) -> Answer:
        event_type, event_id = self._identify(source, request, event, attempt)
        rule = source.rules.get(event_type)
        if rule is None:
            reason = f"no routing rule for event type {event_type!r}"
            answer = {"status": "unrouted", "event_id": event_id, "reason": reason}
            return 200, answer, "unrouted", reason
        designed = designed_name(rule.process)
        process = DESIGNED if designed else PROCESSES.get(rule.process)
        if process is None:
            raise Rejected(422, f"rule: process {rule.process!r} is not registered", "error")
        try:
            given = apply_mapping(rule.mapping, event)
            if designed:  # its latest published version, started by the webhook's source
                arg: Any = await asyncio.to_thread(
                    self._designed, designed, given, source.name, event_id
                )
            else:
                arg = process.input_model.model_validate(given)
        except StartRefused as exc:
            raise Rejected(422 if exc.field.startswith("input") else exc.status, str(exc)) from None
        except jmespath.exceptions.JMESPathError as exc:
            raise Rejected(422, f"input_mapping: cannot evaluate: {exc}") from None
        except ValidationError as exc:
            fields = validation_detail(exc.errors())  # type: ignore[arg-type]
            for f in fields:
                f["field"] = f"input.{f['field']}" if f["field"] != "body" else "input"
            summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
            raise Rejected(422, f"invalid input: {summary}", fields=fields) from None
        workflow_id = f"{process.workflow_id(arg)}:{source.name}:{event_key(event_id)}"
        if len(workflow_id) > 255:
            workflow_id = f"webhook:{hashlib.sha256(workflow_id.encode()).hexdigest()}"
        if self.intake.full():
            retry = self.intake.settings.retry_after_seconds
            raise Rejected(429, "intake: backlog full, retry later", retry_after=retry)
        eager = self.intake.eager()
        event_row = NewEvent(
            source=source.name,
            event_id=event_id,
            event_type=event_type,
            process=process.name,
            subject=process.subject(arg),
            workflow_id=workflow_id,
            input=arg.model_dump(mode="json"),
            claimed_by=self.intake.identity if eager else None,
        )
        try:
            accepted = await self.intake.append(event_row)
        except Exception as exc:  # not committed: the sender must retry
            log.error("webhook intake write failed", source=source.name, error=type(exc).__name__)
            raise Rejected(503, "intake: store unavailable, retry later", "error") from None
        if not accepted.new:
            return self._duplicate(accepted, process.name, event_type, event_id, attempt)
        if not eager:
            self.intake.queued()
            return self._queued(accepted, process.name, event_type, event_id, attempt)
        self.intake.inflight += 1
        try:
            started = await self._start(
                client, process.name, arg, workflow_id, attempt, event_type, event_id
            )
        except Rejected:  # Temporal unavailable: the event is safe in the intake, started later
            await self.intake.release(accepted.id)
            return self._queued(accepted, process.name, event_type, event_id, attempt)
        finally:
            self.intake.inflight -= 1
        self.intake.started(accepted.id, started[1].get("run_id"))
        started[1]["intake_id"] = accepted.id
        return started

    def _designed(
        self, name: str, given: dict[str, Any], source: str, event_id: str
    ) -> DesignedRunInput:
        run_key = hashlib.sha256(f"{source}:{event_id}".encode()).hexdigest()[:32]
        with session_scope(self.engine) as session:
            return designed_run(
                session, name, None, given, started_by=f"webhook:{source}", run_key=run_key
            )

    @staticmethod
    def _queued(
        accepted: Accepted, process: str, event_type: str, event_id: str, attempt: Attempt
    ) -> Answer:
        answer = {
            "status": "queued",
            "intake_id": accepted.id,
            "workflow_id": accepted.workflow_id,
            "process": process,
            "event_id": event_id,
            "event_type": event_type,
            "start_ms": round((time.perf_counter() - attempt.started) * 1000, 2),
        }
        return 202, answer, "queued", "committed to the intake; applied in order by a batch run"

    @staticmethod
    def _duplicate(
        accepted: Accepted, process: str, event_type: str, event_id: str, attempt: Attempt
    ) -> Answer:
        answer = {
            "status": "duplicate",
            "intake_id": accepted.id,
            "intake_status": accepted.status,
            "workflow_id": accepted.batch_id or accepted.workflow_id,
            "run_id": accepted.run_id,
            "process": process,
            "event_id": event_id,
            "event_type": event_type,
        }
        return 200, answer, "duplicate", "accepted before; not applied again"

    async def _start_claimed(self, client: Client, row: Claimed) -> str | None:
        """The dispatcher's per-event start: the run the request would have started. A run
        already started for it (by a request that died before marking it) is joined."""
        process = _registered(row.process)
        try:
            handle, _ = await start_process(
                client,
                self.queues,
                process,
                process.input_model.model_validate(row.input),
                workflow_id=row.workflow_id,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                announce=await self.events.announced(),
                rpc_timeout=timedelta(seconds=self.settings.webhook_start_timeout_seconds),
            )
            return handle.result_run_id
        except WorkflowAlreadyStartedError as exc:
            return exc.run_id

    async def _start(
        self,
        client: Client,
        process_name: str,
        arg: Any,
        workflow_id: str,
        attempt: Attempt,
        event_type: str,
        event_id: str,
    ) -> Answer:
        process = _registered(process_name)
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

    # --- vendors: the adapter delivers the event to the run it belongs to ----------------------
    async def _vendor_sender(self, vendor: Vendor, integration: str) -> Sender:
        if not await vendor.has_integration(self.engine, integration):
            raise Rejected(404, f"integration: no {vendor.name} integration {integration!r}")

        async def dispatch(
            event: dict[str, Any], request: Request, client: Client, attempt: Attempt
        ) -> Answer:
            return await vendor.dispatch(self.engine, client, integration, event, attempt)

        return Sender(
            format=vendor.format,
            secret=vendor_key(vendor.name, integration),
            tolerance_seconds=self.settings.webhook_tolerance_seconds,
            missing_secret=Rejected(
                404, f"integration: no {vendor.name} webhook subscription for {integration!r}"
            ),
            dispatch=dispatch,
        )

    async def drain(self) -> None:
        """Let pending delivery-log writes finish (shutdown, tests), a few seconds at most."""
        await self.intake.stop()
        await self.deliveries.drain()
