"""The proctoring platform's signed webhooks, routed into the exam's running workflow.

``POST /api/v1/webhooks/proctoring/{integration}``: the signature (``X-Proctor-Signature``) is
checked with the secret the exam run stored in Vault when it subscribed; a ``session.*`` event is
then sent as the ``session_result`` signal to the run that scheduled that exam. Events for exams
Atrium does not track are acknowledged and ignored, so the platform does not retry them forever.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, ValidationError
from sqlmodel import select
from temporalio.service import RPCError

from activities.proctoring import SessionOutcome, webhook_secret_name
from api.deps import CredentialsDep, SessionDep, TemporalDep
from api.security import public
from atrium.credentials import CredentialError, SecretNotFound
from atrium.models import ProctoredExamLink
from connectors.proctoring import SIGNATURE_HEADER, InvalidSignature, verify_signature
from connectors.proctoring.models import WebhookEvent

router = APIRouter(prefix="/webhooks/proctoring", tags=["webhooks"])
MAX_BODY = 262_144


class ProctoringWebhookAnswer(BaseModel):
    status: str  # signalled | ignored
    event_id: str
    workflow_id: str | None = None
    reason: str | None = None


@router.post(
    "/{integration}",
    response_model=ProctoringWebhookAnswer,
    dependencies=[public("signed by the proctoring platform; the signature is the authentication")],
)
async def proctoring_webhook(
    integration: Annotated[str, Path(max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")],
    request: Request,
    session: SessionDep,
    credentials: CredentialsDep,
    temporal: TemporalDep,
) -> ProctoringWebhookAnswer:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, f"body: larger than {MAX_BODY} bytes")
    try:
        secret = (await credentials.read(webhook_secret_name(integration)))["secret"]
    except (SecretNotFound, KeyError):
        raise HTTPException(
            404, f"integration: no proctoring webhook subscription for {integration!r}"
        ) from None
    except CredentialError:
        raise HTTPException(503, "vault: cannot read the webhook secret now, retry later") from None
    try:
        verify_signature(secret, request.headers.get(SIGNATURE_HEADER), body)
    except InvalidSignature as exc:
        raise HTTPException(400, f"{SIGNATURE_HEADER}: {exc}") from None
    try:
        event = WebhookEvent.model_validate_json(body)
        outcome = SessionOutcome.of(event.session()) if event.type.startswith("session.") else None
    except (ValidationError, KeyError, TypeError) as exc:
        raise HTTPException(422, f"body: not a proctoring event: {str(exc)[:200]}") from None
    if outcome is None:
        return ProctoringWebhookAnswer(
            status="ignored", event_id=event.id, reason=f"event type {event.type}"
        )
    exam_id = event.session().exam_id
    link = session.exec(
        select(ProctoredExamLink).where(ProctoredExamLink.exam_id == exam_id)
    ).first()
    if link is None:
        return ProctoringWebhookAnswer(
            status="ignored", event_id=event.id, reason=f"untracked exam {exam_id}"
        )
    try:
        await temporal.get_workflow_handle(link.workflow_id).signal("session_result", outcome)
    except RPCError as exc:  # the run is over: nothing waits for this result any more
        return ProctoringWebhookAnswer(
            status="ignored",
            event_id=event.id,
            workflow_id=link.workflow_id,
            reason=f"run not running: {exc.message[:200]}",
        )
    return ProctoringWebhookAnswer(
        status="signalled", event_id=event.id, workflow_id=link.workflow_id
    )
