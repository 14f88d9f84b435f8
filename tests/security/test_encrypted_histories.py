"""Issue 16: Temporal histories hold no personal data in clear. A profile update carries a
sentinel email through a signed webhook; neither Temporal's API (a client without the codec, as
anyone reaching the frontend would read it) nor the Web UI's HTTP API shows it; an administrator
reads it through the codec server, an auditor sees only its shape, and each read is audited."""

from __future__ import annotations

import base64
import uuid

import httpx
from google.protobuf import json_format
from sqlalchemy.engine import Engine
from temporalio.api.common.v1 import Payloads

from atrium.credentials import Credentials
from atrium.settings import Settings
from atrium.temporal import connect
from tests.api.test_runs import wait_closed
from tests.api.webhook_support import add_canvas, make_source, person_event, signed
from tests.conftest import ClientFor


async def test_a_students_email_never_reaches_a_history_in_clear(
    api: httpx.AsyncClient,
    client_for: ClientFor,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
    sandbox_url: str,
) -> None:
    sentinel = f"sentinel-{uuid.uuid4().hex[:10]}@example.edu"
    canvas = await add_canvas(engine, credentials, sandbox_url)
    source, secret = await make_source(api, integration=canvas)
    body, headers = signed(secret, person_event("U00031", email=sentinel))
    answer = await api.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    workflow_id = answer.json()["workflow_id"]
    assert (await wait_closed(api, workflow_id))["status"] == "Completed"

    # What Temporal stores and serves: read with a client that has no keys.
    raw = await connect(settings.temporal, codec=None)
    history = await raw.get_workflow_handle(workflow_id).fetch_history()
    assert sentinel.encode() not in b"".join(e.SerializeToString() for e in history.events)
    assert sentinel not in history.to_json()
    ui = f"http://127.0.0.1:{settings.temporal.ui_port}"
    async with httpx.AsyncClient(base_url=ui, timeout=30) as web:
        served = await web.get(
            f"/api/v1/namespaces/{settings.temporal.namespace}/workflows/{workflow_id}/history"
        )
    assert served.status_code == 200, served.text
    assert "workflowExecutionStartedEventAttributes" in served.text
    assert sentinel not in served.text
    assert base64.b64encode(sentinel.encode()).decode()[:16] not in served.text

    # Through the codec server: whole for an administrator, shapes for an auditor.
    started = history.events[0].workflow_execution_started_event_attributes
    request = json_format.MessageToJson(Payloads(payloads=list(started.input.payloads)))
    decoded = await api.post("/api/v1/codec/decode", content=request)
    assert decoded.status_code == 200, decoded.text
    opened = json_format.Parse(decoded.text, Payloads())
    assert sentinel.encode() in opened.payloads[0].data
    auditor = await client_for("auditor")
    shaped = await auditor.post("/api/v1/codec/decode", content=request)
    assert shaped.status_code == 200, shaped.text
    shape = json_format.Parse(shaped.text, Payloads()).payloads[0].data
    assert sentinel.encode() not in shape and b'"email": "<string>"' in shape
    assert (await auditor.post("/api/v1/codec/encode", content=request)).status_code == 403
    anonymous = await httpx.AsyncClient(base_url=str(api.base_url)).post(
        "/api/v1/codec/decode", content=request
    )
    assert anonymous.status_code == 401
    log = (await api.get("/api/v1/audit", params={"action": "POST /api/v1/codec/decode"})).json()
    actors = {row["actor"] for row in log["items"]}
    assert len(actors) >= 2, log  # the administrator's read and the auditor's


async def test_the_codec_server_refuses_what_is_not_payload_json(api: httpx.AsyncClient) -> None:
    for body in (b"{", b'{"payloads": [{"data": 5}]}', b"[" * 5000):
        answer = await api.post("/api/v1/codec/decode", content=body)
        assert answer.status_code == 422 and "payloads" in answer.text, (body[:20], answer.text)
