"""Notifications: a named template, the recipient's preferred channel, a per-channel rate limit,
and a message key so a retried activity never sends the same message twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

import limits
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.clients import email_sender, slack_webhook, teams_webhook
from activities.runtime import Runtime
from activities.templates import TEMPLATES
from atrium.bounds import Line
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import NotificationPreference, SentNotification
from connectors.comms import OutgoingEmail
from connectors.comms.templates import RenderedNotification, TemplateError, render

# Slack allows about one message a second per webhook; Teams about four; a school relay more.
DEFAULT_RATES = {"email": "60/minute", "slack": "1/second", "teams": "4/second"}
Channel = Literal["email", "slack", "teams", "none"]


class NotifyInput(BaseModel):
    # Line: it becomes part of a workflow id ("notify-<key>"), where a control character breaks
    # Temporal's UI and every tool that reads the id.
    message_key: Line = Field(min_length=1, max_length=255, description="idempotency key")
    recipient: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    template: str = Field(min_length=1, max_length=63)
    values: dict[str, str] = Field(default_factory=dict)
    integration: str = Field("comms", pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")


class NotifyResult(BaseModel):
    message_key: str
    recipient: str
    channel: Channel
    status: Literal["sent", "already_sent", "opted_out"]
    detail: str = ""


class NotifyActivities:
    def __init__(
        self,
        engine: Engine,
        credentials: Credentials,
        *,
        rates: Mapping[str, str] | None = None,
        limit_storage: str = "memory://",
        runtime: Runtime | None = None,
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)
        self.engine = engine
        self.rates = {k: limits.parse(v) for k, v in {**DEFAULT_RATES, **(rates or {})}.items()}
        self.limiter = MovingWindowRateLimiter(storage_from_string(limit_storage))

    def _channel(self, recipient: str) -> Channel:
        with session_scope(self.engine) as session:
            pref = session.exec(
                select(NotificationPreference).where(NotificationPreference.recipient == recipient)
            ).first()
        return pref.channel if pref else "email"  # type: ignore[return-value]

    def _already_sent(self, key: str) -> SentNotification | None:
        with session_scope(self.engine) as session:
            return session.exec(
                select(SentNotification).where(SentNotification.message_key == key)
            ).first()

    def _record(self, input: NotifyInput, channel: str, detail: str) -> None:
        with session_scope(self.engine) as session:
            session.add(
                SentNotification(
                    message_key=input.message_key,
                    recipient=input.recipient,
                    channel=channel,
                    template=input.template,
                    detail=detail[:1000],
                )
            )
            try:
                session.commit()
            except IntegrityError:  # a concurrent attempt recorded it first
                session.rollback()

    def _take_turn(self, channel: str, integration_name: str) -> None:
        rate = self.rates[channel]
        if self.limiter.hit(rate, "notify", integration_name, channel):
            return
        stats = self.limiter.get_window_stats(rate, "notify", integration_name, channel)
        wait = max(stats.reset_time - time.time(), 0.1)
        raise ApplicationError(
            f"{channel} rate limit {rate} reached",
            type="RateLimited",
            next_retry_delay=timedelta(seconds=wait),
        )

    @activity.defn(name="notify")
    async def notify(self, input: NotifyInput) -> NotifyResult:
        recipient = input.recipient.lower()
        done = await asyncio.to_thread(self._already_sent, input.message_key)
        if done is not None:
            return NotifyResult(
                message_key=input.message_key,
                recipient=recipient,
                channel=done.channel,
                status="already_sent",
                detail=done.detail,
            )  # type: ignore[arg-type]
        channel = await asyncio.to_thread(self._channel, recipient)
        if channel == "none":
            return NotifyResult(
                message_key=input.message_key,
                recipient=recipient,
                channel="none",
                status="opted_out",
            )
        template = TEMPLATES.get(input.template)
        if template is None:
            raise ApplicationError(
                f"template: unknown template {input.template!r}; known: "
                f"{', '.join(sorted(TEMPLATES))}",
                type="InvalidRequest",
                non_retryable=True,
            )
        try:
            message = render(template, input.values)
        except TemplateError as exc:
            raise ApplicationError(
                f"template {input.template}: {exc}", type="InvalidRequest", non_retryable=True
            ) from None
        if channel == "email":
            try:  # checked before the rate limit counts it: a bad address will never send
                OutgoingEmail(to=[recipient], subject=message.subject, text=message.text)
            except ValidationError as exc:
                raise ApplicationError(
                    f"recipient: {exc.errors()[0]['msg']}",
                    type="InvalidRequest",
                    non_retryable=True,
                ) from None
        self._take_turn(channel, input.integration)
        with self.runtime.translate(input.integration):
            detail = await self._send(input.integration, channel, recipient, message)
        await asyncio.to_thread(self._record, input, channel, detail)
        return NotifyResult(
            message_key=input.message_key,
            recipient=recipient,
            channel=channel,
            status="sent",
            detail=detail,
        )

    async def _send(
        self, name: str, channel: str, recipient: str, message: RenderedNotification
    ) -> str:
        """Through comms connection ``name`` (its settings: activities/clients.py)."""
        row = await self.runtime.aconnection(name, "comms")
        if channel == "email":
            fields = await self.runtime.secret(name)
            email = OutgoingEmail(
                to=[recipient], subject=message.subject, text=message.text, html=message.html
            )
            return await email_sender(row, fields).send(email)
        if channel == "slack":
            slack = self.runtime.client(row, slack_webhook)
            await slack.post(f"{message.subject}\n\n{message.text}\n(for {recipient})")
        else:
            teams = self.runtime.client(row, teams_webhook)
            await teams.post_message_card(message.subject, f"{message.text}\n\n(for {recipient})")
        return f"posted to {channel}"
