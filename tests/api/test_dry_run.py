"""Dry runs of designed versions through the API, on the real worker and the Canvas sandbox:
the read actions are performed, writes, webhooks and approvals answer with their samples and
nothing is written; each step shows its input, output, status and the branch it took."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from atrium.credentials import Credentials
from atrium.models import Integration
from tests.api.designer_support import BASE, designed, ok  # noqa: F401
from tests.api.webhook_support import add_canvas


def onboarding(canvas: str, sis_id: str) -> dict[str, Any]:
    return {
        "start": "account",
        "steps": [
            {
                "id": "account",
                "type": "action",
                "action": "canvas.get_account",
                "integration": canvas,
                "output": "acct",
                "next": "check",
            },
            {
                "id": "check",
                "type": "condition",
                "when": "acct.id",
                "then": "create",
                "otherwise": "none",
            },
            {
                "id": "create",
                "type": "action",
                "action": "canvas.create_user",
                "integration": canvas,
                "input": {"new": {"name": "Dry Run", "unique_id": sis_id, "sis_user_id": sis_id}},
                "output": "created",
                "next": "approve",
            },
            {
                "id": "approve",
                "type": "approval",
                "assignee_role": "secretary",
                "prompt": "keep?",
                "output": "decision",
                "on_approved": "wait",
                "on_rejected": "none",
            },
            {"id": "wait", "type": "timer", "seconds": 3600, "next": "done"},
            {
                "id": "done",
                "type": "end",
                "output": {
                    "account": "acct.id",
                    "user": "created.id",
                    "outcome": "decision.outcome",
                },
            },
            {"id": "none", "type": "end"},
        ],
    }


async def test_a_dry_run_reads_writes_nothing_and_shows_every_step(
    api: httpx.AsyncClient,
    engine: Engine,
    credentials: Credentials,
    sandbox_url: str,
    designed: Callable[..., Awaitable[str]],  # noqa: F811
) -> None:
    canvas = await add_canvas(engine, credentials, sandbox_url)
    try:
        await _dry_runs(api, sandbox_url, designed, canvas)
    finally:
        await credentials.delete(canvas)
        with engine.begin() as conn:
            conn.execute(delete(Integration).where(col(Integration.name) == canvas))


async def _dry_runs(
    api: httpx.AsyncClient,
    sandbox_url: str,
    designed: Callable[..., Awaitable[str]],  # noqa: F811
    canvas: str,
) -> None:
    sis_id = f"dry-{uuid.uuid4().hex[:8]}"
    name = await designed(api, onboarding(canvas, sis_id))
    body = {"samples": {"create": {"id": 4242}}, "decisions": {"approve": "approved"}}
    run = await ok(api.post(f"{BASE}/{name}/versions/1/dry-run", json=body))
    assert run["dry_run"] and run["status"] == "completed", run
    steps = {s["step"]: s for s in run["steps"]}
    assert not steps["account"]["simulated"] and steps["account"]["output"]["id"]  # really read
    assert (steps["check"]["output"], steps["check"]["goto"]) == (True, "create")
    assert steps["create"]["simulated"] and steps["create"]["output"] == {"id": 4242}
    assert steps["create"]["input"]["new"]["sis_user_id"] == sis_id
    assert (steps["approve"]["goto"], steps["approve"]["output"]["outcome"]) == ("wait", "approved")
    assert steps["wait"]["status"] == "done"  # an hour's timer did not wait
    assert run["output"] == {
        "account": steps["account"]["output"]["id"],
        "user": 4242,
        "outcome": "approved",
    }
    async with httpx.AsyncClient(base_url=sandbox_url) as sandbox:
        token = (await sandbox.get("/_control/credentials/canvas")).json()["token"]
        user = await sandbox.get(
            f"/canvas/api/v1/users/sis_user_id:{sis_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert user.status_code == 404  # the write was never made

    # No reads either, the approval's default outcome (rejected); not counted as a run.
    quiet = await ok(
        api.post(
            f"{BASE}/{name}/versions/1/dry-run",
            json={"perform_reads": False, "samples": {"account": {"id": 1}}},
        )
    )
    steps = {s["step"]: s for s in quiet["steps"]}
    assert steps["account"]["simulated"] and steps["approve"]["goto"] == "none"
    view = await ok(api.get(f"{BASE}/{name}/runs/{quiet['workflow_id']}"))
    assert view["steps"] == quiet["steps"]
    assert (await ok(api.get(f"{BASE}/{name}/versions")))[0]["runs"] == 0

    wrong = await api.post(f"{BASE}/{name}/versions/1/dry-run", json={"samples": {"nope": 1}})
    assert wrong.status_code == 422 and "samples.nope" in wrong.json()["error"]
    missing = await api.post(f"{BASE}/{name}/versions/7/dry-run", json={})
    assert missing.status_code == 404 and "version" in missing.json()["error"]
