"""Notifications end to end: templates over real SMTP and Slack/Teams webhooks, preferences,
idempotency by message key, and the per-channel rate limit."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

from activities.notify import NotifyActivities, NotifyInput, NotifyResult
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import NotificationPreference
from tests.workflows.conftest import Campus, unique
from workflows.notify import Notify

VALUES = {"school": "Springfield High", "first_name": "Ada", "login": "ada.l", "accounts": "- LMS"}


async def _notify(client: Client, worker: Worker, input: NotifyInput) -> NotifyResult:
    return await client.execute_workflow(
        Notify.run,
        input,
        id=f"notify-{input.message_key}",
        task_queue=worker.task_queue,
        execution_timeout=timedelta(seconds=60),
    )


def _prefer(engine: Engine, recipient: str, channel: str) -> None:
    with session_scope(engine) as session:
        session.add(NotificationPreference(recipient=recipient, channel=channel))
        session.commit()


async def test_email_is_sent_once_per_message_key(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    to = f"{unique('ada')}@example.edu"
    input = NotifyInput(
        message_key=unique("welcome-"),
        recipient=to,
        template="welcome",
        values=VALUES,
        integration=campus.comms,
    )
    first = await _notify(temporal_client, worker, input)
    again = await _notify(temporal_client, worker, input)  # e.g. a rerun of the same process step
    assert (first.status, first.channel, again.status) == ("sent", "email", "already_sent")
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        mail = (await http.get("/comms/_control/mail", params={"to": to})).json()
    assert len(mail) == 1
    assert mail[0]["subject"] == "Welcome to Springfield High, Ada"
    assert mail[0]["message_id"] == first.detail and mail[0]["authenticated_as"] == "atrium-notify"


async def test_preferences_route_to_chat_or_opt_out_quietly(
    campus: Campus, engine: Engine, temporal_client: Client, worker: Worker
) -> None:
    slack, teams, quiet = (f"{unique(p)}@example.edu" for p in ("slack", "teams", "quiet"))
    _prefer(engine, slack, "slack")
    _prefer(engine, teams, "teams")
    _prefer(engine, quiet, "none")
    results = [
        await _notify(
            temporal_client,
            worker,
            NotifyInput(
                message_key=unique("pref-"),
                recipient=who,
                template="financial-hold-lifted",
                values={"name": "Ada", "hold_type": "registration"},
                integration=campus.comms,
            ),
        )
        for who in (slack, teams, quiet)
    ]
    assert [(r.channel, r.status) for r in results] == [
        ("slack", "sent"),
        ("teams", "sent"),
        ("none", "opted_out"),
    ]
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        chat = (await http.get("/comms/_control/chat")).json()
    assert any(slack in c["payload"].get("text", "") for c in chat if c["kind"] == "slack")
    assert any(teams in c["payload"].get("text", "") for c in chat if c["kind"] == "teams")
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        assert (await http.get("/comms/_control/mail", params={"to": quiet})).json() == []


async def test_bad_template_values_fail_for_good(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    input = NotifyInput(
        message_key=unique("bad-"),
        recipient="x@example.edu",
        template="welcome",
        values={"school": "S"},
        integration=campus.comms,
    )
    with pytest.raises(WorkflowFailureError) as info:
        await _notify(temporal_client, worker, input)
    failed = info.value.cause
    assert isinstance(failed, ActivityError)
    cause = failed.cause
    assert isinstance(cause, ApplicationError) and cause.non_retryable
    assert "first_name" in cause.message


async def test_rate_limit_asks_temporal_to_wait(
    campus: Campus, engine: Engine, credentials: Credentials
) -> None:
    activities = NotifyActivities(engine, credentials, rates={"email": "1/minute"})
    env = ActivityEnvironment()
    make = lambda: NotifyInput(  # noqa: E731
        message_key=unique("rate-"),
        recipient=f"{unique('r')}@example.edu",
        template="financial-hold-lifted",
        values={"name": "A", "hold_type": "library"},
        integration=campus.comms,
    )
    assert (await env.run(activities.notify, make())).status == "sent"
    with pytest.raises(ApplicationError) as info:
        await env.run(activities.notify, make())
    assert info.value.type == "RateLimited" and not info.value.non_retryable
    assert info.value.next_retry_delay is not None
    assert timedelta(seconds=30) < info.value.next_retry_delay <= timedelta(seconds=60)
