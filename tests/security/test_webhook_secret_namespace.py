"""Finding 5: the proctoring route read its signing secret as ``<integration>-webhook`` while
webhook sources kept theirs as ``webhook-<name>``, so a process designer's source ``pz-webhook``
signed valid events for ``POST /webhooks/proctoring/webhook-pz``; and events were matched to a
run by a bare ``exam_id``. Now every signing secret lives in its own namespace, both routes go
through one intake, and an event reaches only the run of its own integration and exam."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import WorkflowHandle

from atrium.credentials import Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.models import WebhookSource
from atrium.signatures import sign_headers
from atrium.webhook_secrets import WebhookSecrets, source_key, vendor_key
from tests.api.webhook_support import (
    PROCTOR,
    make_source,
    proctoring_integration,
    session_completed,
    signed,
)
from workflows.proctored_exam import ProctoredExam


def proctor_signed(secret: str, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode()
    return body, sign_headers(secret, int(time.time()), body, PROCTOR)


async def test_a_designers_source_secret_cannot_sign_for_a_proctoring_integration(
    client_for: Any, engine: Engine, credentials: Credentials, sandbox_url: str
) -> None:
    designer: httpx.AsyncClient = await client_for("process_designer")
    store = WebhookSecrets(credentials)
    async with proctoring_integration(engine, credentials, sandbox_url, name="webhook-pz") as pz:
        created = await designer.post("/api/v1/webhooks/sources", json={"name": "pz-webhook"})
        assert created.status_code == 201, created.text
        stolen = created.json()["secret"]
        try:
            url = f"/api/v1/webhooks/proctoring/{pz}"
            body, headers = proctor_signed(stolen, session_completed("exm_any", "S1"))
            # The source's secret is in its own namespace, under no flat name at all.
            assert (await store.read(source_key("pz-webhook")))["secret"] == stolen
            with pytest.raises(SecretNotFound):
                await credentials.read("webhook-pz-webhook")
            no_subscription = await designer.post(url, content=body, headers=headers)
            assert no_subscription.status_code == 404, no_subscription.text

            # A state folder from before the fix: the source's secret under the flat name the
            # proctoring route used to read. It is not taken for the integration's.
            await credentials.store("webhook-pz-webhook", {"secret": stolen})
            refused = await designer.post(url, content=body, headers=headers)
            assert refused.status_code == 404, refused.text
            assert (await credentials.read("webhook-pz-webhook")) == {"secret": stolen}
            await credentials.delete("webhook-pz-webhook")

            # Once the integration subscribed, the designer's secret is a forgery.
            legit = "whsec_" + uuid.uuid4().hex
            await store.store(vendor_key("proctoring", pz), {"secret": legit, "webhook_id": "w"})
            forged = await designer.post(url, content=body, headers=headers)
            assert forged.status_code == 401, forged.text
            body, headers = proctor_signed(legit, session_completed("exm_any", "S1"))
            accepted = await designer.post(url, content=body, headers=headers)
            assert accepted.status_code == 200 and accepted.json()["status"] == "ignored"

        finally:
            await designer.delete("/api/v1/webhooks/sources/pz-webhook")
            await store.delete(source_key("pz-webhook", legacy=True))
    with pytest.raises(SecretNotFound):
        await credentials.read("webhook-pz-webhook")


async def test_secrets_stored_before_the_namespaces_move_there_and_keep_working(
    api: httpx.AsyncClient, engine: Engine, credentials: Credentials, sandbox_url: str
) -> None:
    """What ``make up`` over an old state folder finds: a source row naming ``webhook-<name>``
    and a proctoring subscription secret under ``<integration>-webhook``."""
    store = WebhookSecrets(credentials)
    source, _ = await make_source(api)
    old_secret = "old-" + uuid.uuid4().hex
    await store.delete(source_key(source))
    await credentials.store(f"webhook-{source}", {"secret": old_secret})
    with session_scope(engine) as session:
        row = session.exec(select(WebhookSource).where(WebhookSource.name == source)).one()
        row.secret_name = f"webhook-{source}"
        session.add(row)
        session.commit()
    try:
        body, headers = signed(old_secret, {"id": "evt-old", "type": "nothing.routed"})
        answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
        assert answer.status_code == 200 and answer.json()["status"] == "unrouted", answer.text
        assert (await store.read(source_key(source)))["secret"] == old_secret
        with pytest.raises(SecretNotFound):
            await credentials.read(f"webhook-{source}")
    finally:
        await api.delete(f"/api/v1/webhooks/sources/{source}")

    async with proctoring_integration(engine, credentials, sandbox_url) as integration:
        flat = {"secret": "whsec_" + uuid.uuid4().hex, "webhook_id": "we_old"}
        await credentials.store(f"{integration}-webhook", flat)
        body, headers = proctor_signed(flat["secret"], session_completed("exm_old", "S1"))
        answer = await api.post(
            f"/api/v1/webhooks/proctoring/{integration}", content=body, headers=headers
        )
        assert answer.status_code == 200 and answer.json()["status"] == "ignored", answer.text
        assert await store.read(vendor_key("proctoring", integration)) == flat
        with pytest.raises(SecretNotFound):
            await credentials.read(f"{integration}-webhook")


async def _stage_after(handle: WorkflowHandle[Any, Any], seconds: float) -> str:
    await asyncio.sleep(seconds)
    return str(await handle.query(ProctoredExam.stage))
