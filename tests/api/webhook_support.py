"""Helpers the webhook, subscription and event tests share: signed requests, a Canvas
connection to the sandbox, and a local subscriber server whose answers a test scripts."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from atrium.credentials import Credentials, SecretNotFound, origin_of
from atrium.db import session_scope
from atrium.models import Integration, ProctoredExamLink
from atrium.signatures import HeaderFormat, sign_headers
from atrium.webhook_secrets import WebhookSecrets, vendor_key
from connectors.errors import NotFound
from connectors.proctoring import SIGNATURE_HEADER, ProctoringClient

PROCTOR = HeaderFormat(SIGNATURE_HEADER)  # the proctoring vendor's header, as it signs


def signed(
    secret: str,
    event: dict[str, Any],
    *,
    scheme: str | HeaderFormat = "atrium",
    at: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode()
    headers = sign_headers(secret, at if at is not None else int(time.time()), body, scheme)
    return body, {"Content-Type": "application/json", **headers}


async def add_canvas(engine: Engine, credentials: Credentials, sandbox_url: str) -> str:
    """A Canvas connection to the sandbox, its token in Vault; returns its name."""
    name = f"canvas-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient() as http:
        token = (await http.get(f"{sandbox_url}/_control/credentials/canvas")).json()["token"]
    await credentials.store(name, {"token": token}, origin=origin_of(sandbox_url))
    with session_scope(engine) as session:
        integration = {"name": name, "system": "canvas", "base_url": f"{sandbox_url}/canvas"}
        session.add(Integration.model_validate(integration))
        session.commit()
    return name


@asynccontextmanager
async def proctoring_integration(
    engine: Engine, credentials: Credentials, sandbox_url: str, *, name: str | None = None
) -> AsyncIterator[str]:
    """A proctoring connection to the sandbox (its API key in Vault), removed afterwards with
    its webhook secret, its exam links and the webhook endpoint a run subscribed at the sandbox
    (or the sandbox would keep delivering every session to a route that no longer exists)."""
    name = name or f"proctoring-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient() as http:
        api_key = (await http.get(f"{sandbox_url}/_control/credentials/proctoring")).json()
    base_url = f"{sandbox_url}/proctoring"
    meta = await credentials.store(name, api_key, origin=origin_of(base_url))
    with session_scope(engine) as session:
        row = {"name": name, "system": "proctoring", "base_url": base_url}
        session.add(Integration.model_validate(row, update={"secret_path": meta.path}))
        session.commit()
    try:
        yield name
    finally:
        store, key = WebhookSecrets(credentials), vendor_key("proctoring", name)
        try:
            hook = (await store.read(key)).get("webhook_id")
        except SecretNotFound:
            hook = None
        if hook:
            async with ProctoringClient(base_url, credentials.source(name)) as client:
                with contextlib.suppress(NotFound):  # a test may have stored a made-up one
                    await client.unsubscribe(hook)
        await store.delete(key)
        await credentials.delete(name)
        with engine.begin() as conn:
            conn.execute(
                delete(ProctoredExamLink).where(col(ProctoredExamLink.integration) == name)
            )
            conn.execute(delete(Integration).where(col(Integration.name) == name))


def session_completed(exam_id: str, student_id: str, score: float = 80.0) -> dict[str, Any]:
    """A ``session.completed`` event as the proctoring platform sends it."""
    return {
        "id": f"evt_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": "session.completed",
        "created": int(time.time()),
        "data": {
            "object": {
                "object": "session",
                "id": f"ses_{uuid.uuid4().hex[:16]}",
                "exam_id": exam_id,
                "external_student_id": student_id,
                "status": "completed",
                "completed_at": "2026-01-01T10:00:00Z",
                "result": {
                    "score": score,
                    "integrity_flags": [],
                    "flag_count": 0,
                    "review_status": "clear",
                },
                "created_at": "2026-01-01T09:00:00Z",
            }
        },
    }


async def make_source(
    api: httpx.AsyncClient, *, scheme: str = "atrium", integration: str = "canvas"
) -> tuple[str, str]:
    """A webhook source with a rule routing ``person.updated`` to ``profile-update``."""
    name = f"sis-{uuid.uuid4().hex[:8]}"
    created = await api.post("/api/v1/webhooks/sources", json={"name": name, "scheme": scheme})
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    rule = await api.post(
        "/api/v1/webhooks/rules",
        json={
            "source": name,
            "event_type": "person.updated",
            "process": "profile-update",
            "input_mapping": {
                "person_id": "data.person_id",
                "integration": f"'{integration}'",
                "fields": {"email": "data.email", "preferred_first_name": "data.preferred_name"},
            },
        },
    )
    assert rule.status_code == 201, rule.text
    return name, secret


def person_event(person_id: str = "U00023", **data: Any) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": "person.updated",
        "data": {"person_id": person_id, "email": f"{uuid.uuid4().hex[:6]}@example.edu", **data},
    }


@dataclass
class Subscriber:
    """A local HTTP endpoint: fails ``failures`` times (status ``fail_with``), then answers 200."""

    failures: int = 0
    fail_with: int = 500
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        status = self.fail_with if len(self.answered) < self.failures else 200
        self.answered.append(status)
        return status

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The envelopes received so far (of one type, with ``kind``)."""
        found = [json.loads(body) for _, body in self.received]
        return [e for e in found if kind is None or e["type"] == kind]


@contextmanager
def subscriber_server(subscriber: Subscriber) -> Iterator[Subscriber]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = subscriber.answer()
            if status == 200:
                subscriber.received.append((dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    subscriber.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield subscriber
    finally:
        server.shutdown()
        server.server_close()


@asynccontextmanager
async def subscribed(api: httpx.AsyncClient, event_types: list[str]) -> AsyncIterator[Subscriber]:
    """A local subscriber registered for ``event_types`` through the API, removed afterwards
    (even when the test fails: other tests' events would keep coming to it)."""
    with subscriber_server(Subscriber()) as sub:
        answer = await api.post(
            "/api/v1/subscriptions", json={"url": sub.url, "event_types": event_types}
        )
        assert answer.status_code == 201, answer.text
        try:
            yield sub
        finally:
            await api.delete(f"/api/v1/subscriptions/{answer.json()['id']}")
