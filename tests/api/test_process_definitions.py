"""Designed processes through the API: drafts, validation naming step and field, published and
immutable versions, diff, rollback, the administrator's approval of a destructive version (not
the author's, audited), runs per version, decisions (not by the starter) and retries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import create_model
from sqlalchemy.engine import Engine
from sqlmodel import delete
from temporalio.client import Client
from temporalio.worker import Worker

from activities.actions import ActionActivities
from activities.designer import DesignerActivities
from activities.events import EventActivities
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models.process_definition import ProcessDefinitionRow, ProcessVersion
from atrium.settings import Settings
from connectors.actions import Action, ActionSpec
from connectors.canvas import CanvasClient
from connectors.catalog import catalog
from tests.support.auth import bearer, login, make_user
from tests.support.servers import free_port, serve
from worker import WorkerActivities
from workflows.announce import AnnounceRuns
from workflows.designed_process import DesignedProcess

BASE = "/api/v1/process-definitions"
Login = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture(scope="module")
def designer_app(settings: Settings, engine: Engine) -> Iterator[tuple[str, str]]:
    """The API on a task queue of its own (served by the worker below): the session's worker
    does not run DesignedProcess until it is registered there. Yields (url, queue)."""
    from api.main import create_app

    queue = f"designer-api-{uuid.uuid4().hex[:8]}"
    temporal = settings.temporal.model_copy(update={"task_queue": queue})
    api = settings.api.model_copy(update={"port": free_port()})
    ours = settings.model_copy(update={"temporal": temporal, "api": api})
    with serve(create_app(ours), port=api.port) as url:
        yield url, queue


@pytest.fixture(scope="module")
async def designer_worker(
    designer_app: tuple[str, str],
    temporal_client: Client,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
) -> AsyncIterator[Worker]:
    runtime = Runtime(engine, credentials)
    designer = DesignerActivities(engine)
    async with Worker(
        temporal_client,
        task_queue=designer_app[1],
        workflows=[DesignedProcess],
        activities=[
            ActionActivities(runtime).run_action,
            designer.load_definition,
            designer.call_webhook,
            WorkerActivities(engine, credentials, settings.events)
            .get(EventActivities)
            .publish_events,
        ],
        interceptors=[AnnounceRuns()],  # as the real worker: every run announces how it ended
    ) as worker:
        yield worker


@pytest.fixture
async def as_role(
    designer_app: tuple[str, str], designer_worker: Worker, engine: Engine
) -> AsyncIterator[Login]:
    """``await as_role("secretary")``: a client of the designer API, logged in as a new user."""
    clients: list[httpx.AsyncClient] = []

    async def make(role: str) -> httpx.AsyncClient:
        username = make_user(engine, role)
        token = await asyncio.to_thread(login, designer_app[0], username)
        client = httpx.AsyncClient(base_url=designer_app[0], timeout=30, headers=bearer(token))
        client.username = username  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def names(engine: Engine) -> Iterator[Callable[[str], str]]:
    """Unique process names, whose rows are removed afterwards."""
    made: list[str] = []

    def make(prefix: str) -> str:
        made.append(f"{prefix}-{uuid.uuid4().hex[:6]}")
        return made[-1]

    yield make
    with session_scope(engine) as session:
        session.exec(delete(ProcessVersion).where(ProcessVersion.name.in_(made)))  # type: ignore[call-overload, attr-defined]
        session.exec(delete(ProcessDefinitionRow).where(ProcessDefinitionRow.name.in_(made)))  # type: ignore[call-overload, attr-defined]
        session.commit()


def approval_then_end(output: str, role: str = "secretary") -> dict[str, Any]:
    return {
        "start": "wait",
        "inputs": {"who": {"type": "string"}},
        "steps": [
            {
                "id": "wait",
                "type": "approval",
                "assignee_role": role,
                "prompt": "go on?",
                "output": "decision",
                "next": "finish",
            },
            {
                "id": "finish",
                "type": "end",
                "output": {"from": output, "who": "input.who", "by": "decision.by"},
            },
        ],
    }


async def ok(answer: Awaitable[httpx.Response], expected: int = 200) -> Any:
    response = await answer
    assert response.status_code == expected, response.text
    return response.json()


async def eventually(check: Callable[[], Awaitable[Any]], seconds: float = 20) -> Any:
    for _ in range(int(seconds / 0.1)):
        if found := await check():
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("never happened")


async def test_schema_and_validation_name_the_step_and_field(
    as_role: Login, names: Callable[[str], str]
) -> None:
    designer = await as_role("process_designer")
    schema = await ok(designer.get(f"{BASE}/schema"))
    assert "steps" in schema["properties"] and "ApprovalStep" in schema["$defs"]
    broken = approval_then_end("'x'")
    broken["steps"][1]["output"]["oops"] = "undefined_thing.x"
    broken["steps"].append(
        {"id": "nobody", "type": "action", "action": "canvas.nope", "integration": "c"}
    )
    problems = await ok(designer.post(f"{BASE}/validate", json={"definition": broken}))
    assert problems == [
        {"step": "nobody", "field": "id", "message": "unreachable: no route from the start"},
        {"step": "nobody", "field": "action", "message": "unknown action 'canvas.nope'"},
        {
            "step": "finish",
            "field": "output.oops",
            "message": "undefined variable 'undefined_thing' in 'undefined_thing.x'",
        },
    ]
    broken["steps"].pop()
    [problem] = await ok(designer.post(f"{BASE}/validate", json={"definition": broken}))

    name = names("broken")
    created = await ok(designer.post(BASE, json={"name": name, "draft": broken}), 201)
    assert created["problems"] == [problem] and created["latest_version"] is None
    refused = await designer.post(f"{BASE}/{name}/publish")
    assert refused.status_code == 422
    assert refused.json()["error"].startswith(
        "definition: steps.finish.output.oops: undefined variable 'undefined_thing'"
    )
    secretary = await as_role("secretary")
    assert (await secretary.post(f"{BASE}/{name}/publish")).status_code == 403
    assert (await designer.get(f"{BASE}/{name}/versions/1")).json()["error"].startswith("version:")


async def test_versions_runs_decisions_diff_and_pinning(
    as_role: Login, names: Callable[[str], str]
) -> None:
    designer, secretary = await as_role("process_designer"), await as_role("secretary")
    name = names("flow")
    await ok(designer.post(BASE, json={"name": name, "draft": approval_then_end("'one'")}), 201)
    v1 = await ok(designer.post(f"{BASE}/{name}/publish"), 201)
    assert (v1["version"], v1["status"], v1["destructive"]) == (1, "published", [])

    bad_input = await designer.post(f"{BASE}/{name}/versions/1/runs", json={"input": {"who": 3}})
    assert (bad_input.status_code, bad_input.json()["error"]) == (
        422,
        "input.who: must be of type string",
    )
    run = await ok(
        designer.post(f"{BASE}/{name}/versions/1/runs", json={"input": {"who": "ada"}}), 201
    )
    decisions = f"{BASE}/{name}/runs/{run['workflow_id']}/decisions"
    early = await designer.post(decisions, json={"step": "finish", "outcome": "approved"})
    assert early.status_code == 409

    async def starter_decides() -> httpx.Response | None:
        answer = await designer.post(decisions, json={"step": "wait", "outcome": "approved"})
        return answer if answer.status_code != 409 else None  # 409 until the step waits

    # The starter cannot decide, nor can a leader (not the assignee role); a secretary can.
    first = await eventually(starter_decides)
    assert (first.status_code, first.json()["error"]) == (
        403,
        "step: the run's starter cannot decide on its approval",
    )

    # Version 2 is published while the run waits: the run stays on version 1.
    await ok(designer.put(f"{BASE}/{name}/draft", json={"draft": approval_then_end("'two'")}))
    v2 = await ok(designer.post(f"{BASE}/{name}/publish"), 201)
    assert v2["version"] == 2
    leader = await as_role("leader")
    assert (
        await leader.post(decisions, json={"step": "wait", "outcome": "approved"})
    ).status_code == 403
    decided = await ok(secretary.post(decisions, json={"step": "wait", "outcome": "approved"}), 202)
    assert decided["step"] == "wait"
    result = await DesignedProcessResult.of(designer, run["workflow_id"])
    assert result["output"] == {"from": "one", "who": "ada", "by": secretary.username}  # type: ignore[attr-defined]
    assert result["version"] == 1

    changes = await ok(designer.get(f"{BASE}/{name}/diff", params={"from": 1, "to": 2}))
    assert changes["steps"] == [
        {
            "step": "finish",
            "status": "changed",
            "changes": [{"path": "output.from", "before": "'one'", "after": "'two'"}],
        }
    ]

    async def counted() -> list[Any] | None:
        versions = await ok(designer.get(f"{BASE}/{name}/versions"))
        return versions if versions[0]["runs"] == 1 else None

    versions = await eventually(counted)
    assert [(v["version"], v["runs"]) for v in versions] == [(1, 1), (2, 0)]
    listed = await ok(designer.get(f"{BASE}/{name}/versions/1/runs"))
    assert listed["count"] == 1 and listed["items"][0]["workflow_id"] == run["workflow_id"]

    # Rollback: version 1's content published as version 3.
    v3 = await ok(designer.post(f"{BASE}/{name}/versions/1/rollback"), 201)
    assert (v3["version"], v3["source_version"], v3["status"]) == (3, 1, "published")
    assert v3["content_hash"] == v1["content_hash"]


class DesignedProcessResult:
    @staticmethod
    async def of(client: httpx.AsyncClient, workflow_id: str) -> Any:
        async def finished() -> Any:
            run = await ok(client.get(f"/api/v1/runs/{workflow_id}"))
            return run if run["status"] != "Running" else None

        run = await eventually(finished)
        assert run["status"] == "Completed", run
        return run["result"]


@pytest.fixture
def destructive_action() -> Iterator[str]:
    """A destructive action in the catalog for the duration of a test (none is declared yet)."""
    name = "canvas.test_purge_user"
    spec = ActionSpec(name=name, effect="destructive", idempotent=False, key=None, summary="test")
    model = create_model("PurgeInput", user=(str, ...))
    catalog()[name] = Action("canvas", CanvasClient, "get_user", spec, model, None, False)
    yield name
    catalog().pop(name, None)


async def test_a_destructive_version_needs_another_administrators_approval(
    as_role: Login, names: Callable[[str], str], destructive_action: str
) -> None:
    author, other = await as_role("administrator"), await as_role("administrator")
    name = names("purge")
    draft = {
        "start": "purge",
        "steps": [
            {
                "id": "purge",
                "type": "action",
                "action": destructive_action,
                "integration": "nowhere",
                "input": {"user": "sis_user_id:x"},
            }
        ],
    }
    await ok(author.post(BASE, json={"name": name, "draft": draft}), 201)
    version = await ok(author.post(f"{BASE}/{name}/publish"), 201)
    assert (version["status"], version["destructive"]) == ("pending_approval", [destructive_action])
    start = await author.post(f"{BASE}/{name}/versions/1/runs", json={})
    assert (start.status_code, start.json()["error"]) == (
        409,
        f"version: v1 of {name!r} is pending_approval",
    )
    own = await author.post(f"{BASE}/{name}/versions/1/approve")
    assert own.status_code == 403 and "author" in own.json()["error"]
    designer = await as_role("process_designer")
    assert (await designer.post(f"{BASE}/{name}/versions/1/approve")).status_code == 403
    approved = await ok(other.post(f"{BASE}/{name}/versions/1/approve"))
    assert (approved["status"], approved["approved_by"]) == ("published", other.username)  # type: ignore[attr-defined]
    again = await other.post(f"{BASE}/{name}/versions/1/approve")
    assert again.status_code == 409

    entries = (await ok(author.get("/api/v1/audit", params={"action": f"APPROVE {name}"})))["items"]
    assert sorted((e["status"], e["actor"]) for e in entries) == [
        (200, other.username),  # type: ignore[attr-defined]
        (403, author.username),  # type: ignore[attr-defined]
    ]


async def test_a_failed_run_is_retried_from_its_failed_step_or_another(
    as_role: Login, names: Callable[[str], str]
) -> None:
    designer = await as_role("process_designer")
    name = names("retry")
    draft = {
        "start": "prepare",
        "steps": [
            {"id": "prepare", "type": "transform", "set": {"n": "`41`"}, "next": "lookup"},
            {
                "id": "lookup",
                "type": "action",
                "action": "canvas.get_user",
                "integration": "no-such-connection",
                "input": {"user": "self"},
                "next": "finish",
            },
            {"id": "finish", "type": "end", "output": {"n": "n"}},
        ],
    }
    await ok(designer.post(BASE, json={"name": name, "draft": draft}), 201)
    await ok(designer.post(f"{BASE}/{name}/publish"), 201)
    run = await ok(designer.post(f"{BASE}/{name}/versions/1/runs", json={}), 201)

    async def failed() -> Any:
        answer = await ok(designer.get(f"/api/v1/runs/{run['workflow_id']}"))
        return answer if answer["status"] == "Failed" else None

    assert "integration 'no-such-connection' not found" in (await eventually(failed))["failure"]
    retry = f"{BASE}/{name}/runs/{run['workflow_id']}/retry"
    wrong = await designer.post(retry, json={"resume_from": "nowhere"})
    assert (wrong.status_code, wrong.json()["error"]) == (
        422,
        "resume_from: 'nowhere' is not a step of the main flow",
    )
    again = await ok(designer.post(retry, json={}), 201)
    assert (again["resume_from"], again["workflow_id"]) == (
        "lookup",
        f"{run['workflow_id']}:retry1",
    )
    # Past the failing step, with the variables the failed run recorded (n was set before).
    skipped = await ok(designer.post(retry, json={"resume_from": "finish"}), 201)
    assert skipped["workflow_id"] == f"{run['workflow_id']}:retry2"
    result = await DesignedProcessResult.of(designer, skipped["workflow_id"])
    assert result["output"] == {"n": 41}
    assert [s["step"] for s in result["steps"]] == ["finish"]
