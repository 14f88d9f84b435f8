"""Alert test fixtures: a chat webhook listener of our own (a Slack incoming webhook that answers
``ok`` and notes when each message came), a watched connection to a sandbox system, a comms
connection that mails through the sandbox relay and posts to the listener, and cleanup."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import Alert, AlertDelivery, AlertRule, Integration
from sandbox.comms.smtp import tls_certificate_path
from sandbox.context import SystemContext
from tests.sandbox.control import credentials_of
from tests.support.servers import serve


@dataclass
class ChatListener:
    url: str
    messages: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    def texts(self, needle: str) -> list[tuple[float, str]]:
        return [(t, m["text"]) for t, m in self.messages if needle in m.get("text", "")]


@pytest.fixture(scope="module", name="chat")
def chat_listener() -> Iterator[ChatListener]:
    app = FastAPI()
    listener = ChatListener(url="")

    @app.post("/hook")
    async def hook(request: Request) -> PlainTextResponse:
        listener.messages.append((time.time(), await request.json()))
        return PlainTextResponse("ok")

    with serve(app) as url:
        listener.url = f"{url}/hook"
        yield listener


@dataclass
class Watched:
    library: str  # a Koha connection to the sandbox, the system the tests stop
    comms: str  # mails through the sandbox relay, posts to the chat listener
    mailbox: str  # where the alert emails go
    sandbox_url: str


async def _store(
    engine: Engine,
    credentials: Credentials,
    name: str,
    system: str,
    url: str,
    secret: dict[str, str],
) -> None:
    meta = await credentials.store(name, secret, origin=origin_of(url))
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name,
                system=system,
                base_url=url,
                health_path="/",
                description="alert tests",
                secret_path=meta.path,
            )
        )
        session.commit()


@pytest.fixture(name="watched")
async def watched_systems(
    sandbox_url: str,
    smtp_ctx: tuple[SystemContext, int],
    engine: Engine,
    credentials: Credentials,
    chat: ChatListener,
) -> AsyncIterator[Watched]:
    tag = uuid.uuid4().hex[:6]
    found = Watched(
        library=f"alert-lib-{tag}",
        comms=f"alert-comms-{tag}",
        mailbox=f"it-desk-{tag}@example.edu",
        sandbox_url=sandbox_url,
    )
    koha = await credentials_of(sandbox_url, "koha")
    await _store(engine, credentials, found.library, "koha", f"{sandbox_url}/koha", koha)
    smtp, smtp_port = smtp_ctx
    comms = {
        **smtp.credentials,
        "smtp_port": str(smtp_port),
        "smtp_ca_pem": tls_certificate_path(smtp).read_text(),
        "smtp_sender": "alerts@example.edu",
        "slack_webhook_url": chat.url,
    }
    await _store(engine, credentials, found.comms, "comms", f"{sandbox_url}/comms", comms)
    try:
        yield found
    finally:
        with session_scope(engine) as session:
            for row in session.exec(
                select(Integration).where(col(Integration.name).in_([found.library, found.comms]))
            ):
                session.delete(row)
            session.commit()
        await credentials.delete(found.library)
        await credentials.delete(found.comms)


def drop_rules(engine: Engine, rule_set: str, *rule_ids: int) -> None:
    """Remove a rule set's rules (and ``rule_ids``, perhaps deleted already), their alerts and
    deliveries (the set's evaluator then ends by itself)."""
    with session_scope(engine) as session:
        rows = session.exec(select(AlertRule).where(AlertRule.rule_set == rule_set))
        ids = [r.id for r in rows] + list(rule_ids)
        alerts = [a.id for a in session.exec(select(Alert).where(col(Alert.rule_id).in_(ids)))]
        session.exec(delete(AlertDelivery).where(col(AlertDelivery.alert_id).in_(alerts)))  # type: ignore[call-overload]
        session.exec(delete(Alert).where(col(Alert.id).in_(alerts)))  # type: ignore[call-overload]
        session.exec(delete(AlertRule).where(col(AlertRule.id).in_(ids)))  # type: ignore[call-overload]
        session.commit()


async def mail_to(sandbox_url: str, to: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        return list((await http.get("/comms/_control/mail", params={"to": to})).json())
