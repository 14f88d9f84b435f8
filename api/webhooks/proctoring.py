"""The proctoring platform's events, once the intake has verified them: a ``session.*`` event is
sent as the ``session_result`` signal to the run that scheduled that exam *through this
integration* (the link is keyed by integration and exam, and the signal carries both, so an event
from one integration never reaches another's run). Events for exams Atrium does not track are
acknowledged and ignored, so the platform does not retry them forever."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.service import RPCError

from activities.proctoring import SessionOutcome
from api.errors import validation_detail
from api.webhooks.delivery_log import Attempt
from api.webhooks.rejected import Answer, Rejected, text
from atrium.db import session_scope
from atrium.models import ProctoredExamLink
from connectors.proctoring.models import WebhookEvent


def _invalid(exc: ValidationError, prefix: str) -> Rejected:
    fields = validation_detail(exc.errors())  # type: ignore[arg-type]
    for f in fields:
        f["field"] = f"{prefix}{f['field']}" if f["field"] != "body" else prefix.rstrip(".")
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return Rejected(422, f"body: not a proctoring event: {summary}"[:1000], fields=fields)


def _linked_run(engine: Engine, integration: str, exam_id: str) -> str | None:
    with session_scope(engine) as session:
        link = session.exec(
            select(ProctoredExamLink).where(
                ProctoredExamLink.integration == integration,
                ProctoredExamLink.exam_id == exam_id,
            )
        ).first()
        return link.workflow_id if link else None


def _ignored(event_id: str, reason: str, workflow_id: str | None = None) -> Answer:
    answer = {"status": "ignored", "event_id": event_id, "reason": reason}
    if workflow_id:
        answer["workflow_id"] = workflow_id
    return 200, answer, "unrouted", reason


async def dispatch(
    engine: Engine, client: Client, integration: str, body: dict[str, Any], attempt: Attempt
) -> Answer:
    attempt.event_id, attempt.event_type = text(body.get("id"), 255), text(body.get("type"), 200)
    try:
        event = WebhookEvent.model_validate(body)
    except ValidationError as exc:
        raise _invalid(exc, "") from None
    if attempt.event_id is None or attempt.event_type is None:
        raise Rejected(422, "body: id and type must be short printable text")
    if not event.type.startswith("session."):
        return _ignored(event.id, f"event type {attempt.event_type}")
    try:
        session = event.session()
    except ValidationError as exc:
        raise _invalid(exc, "data.object.") from None
    except (KeyError, TypeError):
        raise Rejected(422, "data.object: a session.* event carries its session") from None
    outcome = SessionOutcome.of(session).model_copy(update={"integration": integration})
    workflow_id = await asyncio.to_thread(_linked_run, engine, integration, session.exam_id)
    if workflow_id is None:
        return _ignored(event.id, f"untracked exam {text(session.exam_id, 128) or '?'}")
    try:
        await client.get_workflow_handle(workflow_id).signal("session_result", outcome)
    except RPCError as exc:  # the run is over: nothing waits for this result any more
        return _ignored(event.id, f"run not running: {exc.message[:200]}", workflow_id)
    answer = {"status": "signalled", "event_id": event.id, "workflow_id": workflow_id}
    return 202, answer, "signalled", ""
