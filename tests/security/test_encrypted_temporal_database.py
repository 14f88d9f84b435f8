"""Issue 16: no student email in Temporal's database or in any history its Web UI serves.

A private Temporal dev server keeps its histories in a SQLite file, and a private sandbox gives
one SIS student a sentinel email. A real roster sync writes that student into Canvas and a
profile update carries the sentinel, both through workers sealing payloads with the codec
(atrium/payload_codec.py) as ``atrium worker`` does. Then the database file (and its WAL) and
every history the Web UI's HTTP API serves are searched byte for byte: no sentinel, in clear or
base64, while strings of the same runs that are not personal are found there (so the search can
fail). An administrator reads the runs through the API's codec server, and the read is audited.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col
from temporalio.client import Client

from atrium.credentials import Credentials
from atrium.models import Integration
from atrium.models.sync_state import IdempotencyKey, SyncCursor, SyncRecord
from atrium.payload_codec import ENCODING, payload_codec
from atrium.settings import Settings, TemporalSettings
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import TaskQueues, connect
from tests.support.auth import bearer, login, make_user
from tests.support.servers import free_port
from tests.workflows.sync_env import (
    Pair,
    SyncSandbox,
    canvas,
    eventually,
    mutate,
    pair,
    start_sandbox,
    start_sync,
)
from workflows.profile_update import ProfileUpdate, ProfileUpdateInput


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SyncSandbox]:
    """A sandbox of our own: the sentinel is written into its SIS, nobody else's."""
    yield from start_sandbox(tmp_path / "sandbox")


@pytest.fixture
def temporal_db(tmp_path: Path) -> Iterator[tuple[TemporalDevServer, Path]]:
    """A Temporal dev server of our own whose histories live in a database file."""
    db_file = tmp_path / "temporal.db"
    server = TemporalDevServer(port=free_port(), ui_port=free_port(), db_file=db_file)
    server.start()
    try:
        yield server, db_file
    finally:
        server.stop()


@pytest.fixture
async def campus_pair(
    engine: Engine, credentials: Credentials, sandbox: SyncSandbox
) -> AsyncIterator[Pair]:
    """The private SIS and Canvas as connections, removed afterwards with their secrets and the
    sync state the run left in Atrium's store (it holds the sentinel)."""
    p = await pair(engine, credentials, sandbox)
    names = [p.source, p.target]
    try:
        yield p
    finally:
        with engine.begin() as conn:
            conn.execute(delete(SyncRecord).where(col(SyncRecord.integration) == p.target))
            conn.execute(delete(SyncCursor).where(col(SyncCursor.integration) == p.target))
            runs = f"roster-sync-{p.target}-"  # tests/workflows/sync_env.py names the runs so
            conn.execute(delete(IdempotencyKey).where(col(IdempotencyKey.key).startswith(runs)))
            conn.execute(delete(Integration).where(col(Integration.name).in_(names)))
        for name in names:
            await credentials.delete(name)


def base64_forms(text: bytes) -> list[bytes]:
    """What ``text`` looks like inside any base64 string, at each of the three alignments."""
    forms = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + text)
        start, end = -(-8 * shift // 6), 8 * (shift + len(text)) // 6
        forms.append(encoded[start:end])
    return forms


def hits(haystack: bytes, sentinel: bytes) -> list[bytes]:
    return [form for form in [sentinel, *base64_forms(sentinel)] if form in haystack]


async def served_histories(ui: httpx.AsyncClient, namespace: str) -> dict[str, dict[str, Any]]:
    """Every run the Web UI lists, with its whole history as the UI's API serves it (JSON)."""
    runs: list[tuple[str, str, str]] = []
    token = ""
    while True:
        listing = f"/api/v1/namespaces/{namespace}/workflows"
        page = await ui.get(listing, params={"nextPageToken": token})
        assert page.status_code == 200, page.text
        body = page.json()
        for e in body.get("executions", []):
            run = e["execution"]
            runs.append((run["workflowId"], run["runId"], e["type"]["name"]))
        token = body.get("nextPageToken") or ""
        if not token:
            break
    served: dict[str, dict[str, Any]] = {}
    for workflow_id, run_id, kind in runs:
        events: list[dict[str, Any]] = []
        raw = b""
        token = ""
        while True:
            answer = await ui.get(
                f"/api/v1/namespaces/{namespace}/workflows/{quote(workflow_id, safe='')}/history",
                params={"execution.runId": run_id, "nextPageToken": token},
            )
            assert answer.status_code == 200, answer.text
            raw += answer.content
            events += answer.json()["history"]["events"]
            token = answer.json().get("nextPageToken") or ""
            if not token:
                break
        served[workflow_id] = {"type": kind, "events": events, "raw": raw}
    return served


async def test_no_sentinel_email_in_temporals_database_or_web_ui(
    temporal_db: tuple[TemporalDevServer, Path],
    sandbox: SyncSandbox,
    campus_pair: Pair,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
    api: httpx.AsyncClient,
    api_url: str,
) -> None:
    from atrium.egress import configure as configure_egress
    from worker import build_events_worker, build_worker

    server, db_file = temporal_db
    token = f"sentinel-{uuid.uuid4().hex[:12]}"
    sis_email, profile_email = f"{token}@example.edu", f"{token}@example.org"
    (student,) = await mutate(
        sandbox, collection="users", count=1, filter="role='student'", set={"email": sis_email}
    )

    private: TemporalSettings = settings.temporal.model_copy(
        update={"address": server.address, "ui_port": server.ui_port}
    )
    client: Client = await connect(
        private, codec=payload_codec(credentials, settings.temporal.payload_key)
    )
    queues = TaskQueues.from_settings(private)
    configure_egress(settings.egress)  # as the session's workers: only what the guard allows
    async with AsyncExitStack() as workers:
        for w in (
            build_worker(client, queues.main, engine, credentials, settings.events),
            build_events_worker(client, queues, engine, credentials, settings.events),
        ):
            await workers.enter_async_context(w)
        sync = await start_sync(client, queues.main, campus_pair, page_size=400)
        result = await sync.result()
        assert result.totals["users"].created > 0, result
        synced = await canvas(sandbox, f"/users/sis_user_id:{student}")
        assert synced["email"] == sis_email  # the sentinel went through the sync
        update = await client.start_workflow(
            ProfileUpdate.run,
            ProfileUpdateInput.model_validate(
                {
                    "person_id": student,
                    "integration": campus_pair.target,
                    "fields": {"email": profile_email, "preferred_first_name": "Sentinel"},
                }
            ),
            id=f"profile-update-{uuid.uuid4().hex[:8]}",  # not the token: ids are not sealed
            task_queue=queues.main,
        )
        await update.result()
        updated = await canvas(sandbox, f"/users/sis_user_id:{student}")
        assert updated["email"] == profile_email

        # Temporal's database file, as anyone with a copy of it would search it.
        stored = b"".join(f.read_bytes() for f in db_file.parent.glob(f"{db_file.name}*"))
        assert sync.id.encode() in stored and b"profile-update" in stored and ENCODING in stored
        assert hits(stored, token.encode()) == []

        # Every history the Web UI's API serves (no codec: what port 8233 shows anyone).
        async with httpx.AsyncClient(base_url=private.ui_url, timeout=30) as ui:

            async def both_listed() -> dict[str, dict[str, Any]] | None:
                served = await served_histories(ui, private.namespace)
                return served if {sync.id, update.id} <= served.keys() else None

            served = await eventually(both_listed)
    for workflow_id, run in served.items():
        assert hits(run["raw"], token.encode()) == [], (workflow_id, run["type"])
    started = served[update.id]["events"][0]["workflowExecutionStartedEventAttributes"]
    assert started["workflowType"]["name"] == "profile-update"
    assert base64.b64decode(started["input"]["payloads"][0]["metadata"]["encoding"]) == ENCODING

    # An administrator reads the same runs through the codec server, as the Web UI would ask.
    admin = make_user(engine, "administrator")
    async with httpx.AsyncClient(
        base_url=api_url, timeout=30, headers=bearer(login(api_url, admin))
    ) as reader:
        for workflow_id, expected in ((update.id, profile_email), (sync.id, campus_pair.target)):
            attributes = served[workflow_id]["events"][0]["workflowExecutionStartedEventAttributes"]
            decoded = await reader.post(
                "/api/v1/codec/decode", content=json.dumps(attributes["input"])
            )
            assert decoded.status_code == 200, decoded.text
            (payload,) = decoded.json()["payloads"]
            assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain"
            assert expected in base64.b64decode(payload["data"]).decode()
    log = await api.get("/api/v1/audit", params={"actor": admin, "action": "POST /api/v1/codec"})
    assert log.status_code == 200, log.text
    reads = [row for row in log.json()["items"] if row["action"] == "POST /api/v1/codec/decode"]
    assert len(reads) == 2 and {row["outcome"] for row in reads} == {"success"}, log.json()
