"""The proctoring platform's signed webhooks: ``POST /api/v1/webhooks/proctoring/{integration}``.

They go through the same intake as every webhook source (``api.webhooks.ingest``): the
``X-Proctor-Signature`` is checked with the secret the exam run stored in Vault when it
subscribed (``webhooks/vendors/proctoring/<integration>``), then ``api.webhooks.proctoring``
signals the run that scheduled that exam through this integration.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel

from api.security import public
from api.webhooks.ingest import WebhookIngest

router = APIRouter(prefix="/webhooks/proctoring", tags=["webhooks"])


class ProctoringWebhookAnswer(BaseModel):
    status: str  # signalled | ignored
    event_id: str
    workflow_id: str | None = None
    reason: str | None = None


@router.post(
    "/{integration}",
    response_model=ProctoringWebhookAnswer,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[public("signed by the proctoring platform; the signature is the authentication")],
    responses={
        200: {"description": "acknowledged and ignored: not a session event, or no run for it"},
        400: {"description": "malformed X-Proctor-Signature or body"},
        401: {"description": "unsigned, forged, or outside the replay window"},
        404: {"description": "no such proctoring integration, or it has no subscription"},
        413: {"description": "body too large"},
        422: {"description": "not a proctoring event (names the field)"},
    },
)
async def proctoring_webhook(
    integration: Annotated[str, Path(max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")],
    request: Request,
) -> Response:
    """Deliver a verified session result to the exam run waiting for it."""
    ingest: WebhookIngest = request.app.state.webhooks
    return await ingest.receive_vendor(
        "proctoring", integration, request, request.app.state.temporal
    )
