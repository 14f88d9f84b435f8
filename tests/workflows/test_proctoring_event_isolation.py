"""An event of one proctoring integration reaches only the run of its own integration and exam,
even when a link points it elsewhere (see tests/security/test_webhook_secret_namespace.py). Here,
beside the campus fixtures: a second copy of them imported into another folder's module was a
second session campus registering the same connection names with another SFTP server."""

from __future__ import annotations

import contextlib
import uuid

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import ProctoredExamLink
from atrium.webhook_secrets import WebhookSecrets, vendor_key
from connectors.proctoring import ProctoringClient
from tests.api.webhook_support import (
    proctoring_integration,
    session_completed,
)
from tests.security.test_webhook_secret_namespace import _stage_after, proctor_signed
from tests.workflows.conftest import Campus
from tests.workflows.test_proctored_exam import first_assignment, wait_for_stage
from workflows.proctored_exam import exam_workflow_id


async def test_an_event_reaches_only_the_run_of_its_own_integration(
    api: httpx.AsyncClient,
    api_url: str,
    campus: Campus,
    engine: Engine,
    credentials: Credentials,
    sandbox_url: str,
    temporal_client: Client,
    worker: Worker,
) -> None:
    store = WebhookSecrets(credentials)
    async with (
        proctoring_integration(engine, credentials, sandbox_url) as b,
        proctoring_integration(engine, credentials, sandbox_url) as a,
    ):
        a_secret = "whsec_" + uuid.uuid4().hex  # integration A's platform signs with this
        await store.store(vendor_key("proctoring", a), {"secret": a_secret, "webhook_id": "w"})
        assignment = await first_assignment(campus, "C002")
        exam = {
            "lms": campus.lms,
            "course": "C002",
            "assignment_id": assignment,
            "proctoring": b,
            "comms": campus.comms,
            "reviewer_email": "prof@example.edu",
            "callback_url": f"{api_url}/api/v1/webhooks/proctoring/{b}",
            "results_timeout_seconds": 60,
            "review_timeout_seconds": 5,
        }
        started = await api.post("/api/v1/runs", json={"process": "proctored-exam", "input": exam})
        assert started.status_code == 201, started.text
        workflow_id = started.json()["workflow_id"]
        assert workflow_id == exam_workflow_id(b, campus.lms, "C002", assignment)
        handle = temporal_client.get_workflow_handle(workflow_id)
        try:
            await wait_for_stage(handle, "collecting")
            with session_scope(engine) as session:
                link = session.exec(
                    select(ProctoredExamLink).where(ProctoredExamLink.integration == b)
                ).one()
            async with ProctoringClient(f"{sandbox_url}/proctoring", credentials.source(b)) as p:
                sessions = [s async for s in p.list_sessions(link.exam_id)]
            assert sessions

            # A's platform reports every session of B's exam as done (score 5).
            url = f"/api/v1/webhooks/proctoring/{a}"
            for s in sessions:
                body, headers = proctor_signed(
                    a_secret, session_completed(link.exam_id, s.external_student_id, 5.0)
                )
                answer = await api.post(url, content=body, headers=headers)
                assert answer.status_code == 200 and answer.json()["status"] == "ignored"
                assert "untracked exam" in answer.json()["reason"]
            # Even a link of A's pointing at B's run (a bug, a hand edit) does not let A in:
            # the run takes results only of its own integration and exam.
            with session_scope(engine) as session:
                session.add(
                    ProctoredExamLink(exam_id=link.exam_id, integration=a, workflow_id=workflow_id)
                )
                session.commit()
            for s in sessions:
                body, headers = proctor_signed(
                    a_secret, session_completed(link.exam_id, s.external_student_id, 5.0)
                )
                answer = await api.post(url, content=body, headers=headers)
                assert answer.status_code == 202 and answer.json()["status"] == "signalled"
            assert await _stage_after(handle, 1.5) == "collecting"

            # B's own platform delivers the real results through the sandbox: the run goes on.
            async with httpx.AsyncClient(base_url=f"{sandbox_url}/proctoring/_control") as http:
                for s in sessions:
                    done = await http.post(f"/sessions/{s.id}/complete", json={"score": 80})
                    done.raise_for_status()
            result = await handle.result()
            assert (result["completed"], result["missing"]) == (len(sessions), [])
            assert result["exam_id"] == link.exam_id and result["flagged"] == []
        finally:
            with contextlib.suppress(RPCError):  # it had already ended
                await handle.terminate("test over")
