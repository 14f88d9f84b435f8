"""What the designed-process interpreter needs besides ``run_action``: its pinned definition,
read from the store, and webhook calls through the egress guard.

A run names its version and that version's content hash; ``load_definition`` answers only a
published version whose content still has that hash, so a run cannot be given a definition that
was never published (or one awaiting an administrator's approval; a dry run, which writes
nothing, may try one). ``latest_version`` pins a run that follows the newest published version
(a schedule's runs) to the version that is newest when it starts.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from atrium.bounds import JsonObject, Line
from atrium.db import session_scope
from atrium.designer.definition import ProcessDefinition, content_hash
from atrium.designer.starts import latest_published
from atrium.egress import EgressPolicy, EgressRefused, guarded_client
from atrium.models.process_definition import ProcessVersion
from atrium.settings import EventsSettings

MAX_BODY = 64_000  # characters of a webhook's answer kept as the step's output


class PinnedVersion(BaseModel):
    name: str = Field(max_length=63)
    version: int = Field(ge=1)
    content_hash: str = Field(max_length=64)
    dry_run: bool = False  # a dry run may load a version still awaiting approval


class WebhookCall(BaseModel):
    url: Line = Field(max_length=2000)
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    body: JsonObject = Field(default_factory=dict)


class WebhookResult(BaseModel):
    status: int
    body: Any = None


def _refused(message: str, kind: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


class DesignerActivities:
    def __init__(self, engine: Engine, egress: EgressPolicy | None = None) -> None:
        self.engine = engine
        # Webhook targets are a designer's choice, as subscriber URLs are an administrator's:
        # the subscriber policy applies (public https unless settings allow more).
        self.egress = egress or EgressPolicy.from_settings(EventsSettings())

    def _load(self, pin: PinnedVersion) -> ProcessDefinition:
        with session_scope(self.engine) as session:
            row = session.exec(
                select(ProcessVersion).where(
                    ProcessVersion.name == pin.name, ProcessVersion.version == pin.version
                )
            ).first()
        if row is None:
            raise _refused(f"process {pin.name!r} has no version {pin.version}", "NotFound")
        if row.status != "published" and not (pin.dry_run and row.status == "pending_approval"):
            raise _refused(f"{pin.name} v{pin.version} is not published ({row.status})", "Refused")
        definition = ProcessDefinition.model_validate(row.definition)
        if content_hash(definition) != pin.content_hash:
            raise _refused(f"{pin.name} v{pin.version}: content hash differs", "Refused")
        return definition

    @activity.defn(name="load_process_definition")
    async def load_definition(self, pin: PinnedVersion) -> ProcessDefinition:
        return await asyncio.to_thread(self._load, pin)

    def _latest(self, name: str) -> PinnedVersion:
        with session_scope(self.engine) as session:
            row = latest_published(session, name)
        if row is None:
            raise _refused(f"process {name!r} has no published version", "NotFound")
        return PinnedVersion(name=name, version=row.version, content_hash=row.content_hash)

    @activity.defn(name="latest_process_version")
    async def latest_version(self, name: str) -> PinnedVersion:
        return await asyncio.to_thread(self._latest, name)

    @activity.defn(name="call_webhook")
    async def call_webhook(self, call: WebhookCall) -> WebhookResult:
        try:
            self.egress.check_url(call.url)
        except EgressRefused as exc:
            raise _refused(f"url: {exc}", "EgressRefused") from None
        async with guarded_client(self.egress) as http:
            try:
                answer = await http.request(
                    call.method, call.url, json=call.body, headers=call.headers, timeout=30
                )
            except EgressRefused as exc:
                raise _refused(f"url: {exc}", "EgressRefused") from None
            except httpx.HTTPError as exc:
                message = f"{call.url}: {type(exc).__name__}"
                raise ApplicationError(message, type="ServerError") from None
        if answer.status_code >= 500 or answer.status_code == 429:
            raise ApplicationError(f"{call.url} answered {answer.status_code}", type="ServerError")
        if answer.status_code >= 400:
            raise _refused(f"{call.url} answered {answer.status_code}", "InvalidRequest")
        text = answer.text[:MAX_BODY]
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        return WebhookResult(status=answer.status_code, body=body)
