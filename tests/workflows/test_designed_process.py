"""The designed-process interpreter against the real engine and the sandbox's Canvas: branches,
a for-each creating users through ``run_action``, an approval by a second person, version
pinning, continue-as-new, compensation and the resumption of a failed run at its failed step."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from activities.actions import ActionActivities
from activities.designer import DesignerActivities
from activities.events import EventActivities
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.designer.definition import ProcessDefinition, content_hash
from atrium.egress import EgressPolicy
from atrium.models.process_definition import ProcessVersion
from atrium.settings import Settings
from connectors.canvas import CanvasClient
from connectors.canvas.models import NewUser
from connectors.canvas.requester import sis
from connectors.errors import NotFound
from tests.atrium.designer.samples import onboarding
from tests.support.servers import serve
from tests.workflows.conftest import Campus, unique
from tests.workflows.test_financial_hold import _client
from worker import WorkerActivities
from workflows.announce import AnnounceRuns
from workflows.designed_process import (
    PROCESS,
    Decision,
    DesignedProcess,
    DesignedRunInput,
    DesignedRunResult,
)


@pytest.fixture(scope="module")
async def designer_worker(
    temporal_client: Client, settings: Settings, engine: Engine, credentials: Credentials
) -> AsyncIterator[Worker]:
    """A worker for the interpreter and its activities. While histories are recorded it polls the
    session's main queue (the recorder reads that one); otherwise a queue of its own, so it never
    competes with the session's worker, where DesignedProcess is not registered yet."""
    from activities.connections import origin_guard
    from atrium.egress import configure

    configure(settings.egress)
    recording = bool(os.environ.get("ATRIUM_RECORD_HISTORIES"))
    queue = settings.temporal.task_queue if recording else f"designer-{uuid.uuid4().hex[:8]}"
    runtime = Runtime(engine, credentials.guarded(origin_guard(engine)))
    designer = DesignerActivities(engine, EgressPolicy.from_settings(settings.events))
    async with Worker(
        temporal_client,
        task_queue=queue,
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
def publish(engine: Engine) -> Iterator[Any]:
    """``publish(name, raw)``: store ``raw`` as the next published version; removed afterwards."""
    names: set[str] = set()

    def put(name: str, raw: dict[str, Any]) -> tuple[int, str]:
        definition = ProcessDefinition.model_validate(raw)
        names.add(name)
        with session_scope(engine) as session:
            found = session.exec(select(ProcessVersion).where(ProcessVersion.name == name)).all()
            row = ProcessVersion(
                name=name,
                version=len(found) + 1,
                definition=definition.model_dump(mode="json"),
                content_hash=content_hash(definition),
                status="published",
                created_by="designer-tests",
            )
            session.add(row)
            session.commit()
            return row.version, row.content_hash

    yield put
    with session_scope(engine) as session:
        for row in session.exec(select(ProcessVersion).where(ProcessVersion.name.in_(names))):  # type: ignore[attr-defined]
            session.delete(row)
        session.commit()


async def start(
    client: Client, worker: Worker, name: str, pin: tuple[int, str], **fields: Any
) -> WorkflowHandle[Any, DesignedRunResult]:
    fields.setdefault("started_by", "alice")
    fields.setdefault("run_key", uuid.uuid4().hex[:12])
    arg = DesignedRunInput(name=name, version=pin[0], content_hash=pin[1], **fields)
    return await client.start_workflow(
        DesignedProcess.run,
        arg,
        id=PROCESS.workflow_id(arg),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=3),
    )


async def waiting_for(handle: WorkflowHandle[Any, Any], step: str) -> None:
    for _ in range(200):
        pending = await handle.query("pending_decisions")
        if any(p["step"] == step for p in pending):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{step} never waited for a decision")


async def test_a_designed_onboarding_creates_canvas_users_after_a_second_persons_approval(
    campus: Campus, temporal_client: Client, designer_worker: Worker, publish: Any
) -> None:
    name = unique("onboard-")
    pin = publish(name, onboarding(campus.lms))
    students = [
        {"id": unique("D"), "given": "Ada", "family": "Lovelace", "login": f"{unique('ada')}@x.edu"}
        for _ in range(3)
    ]
    handle = await start(temporal_client, designer_worker, name, pin, input={"students": students})
    await waiting_for(handle, "approve")

    # The starter cannot approve: the decision is ignored and the step keeps waiting.
    await handle.signal(
        DesignedProcess.decide, Decision(step="approve", outcome="approved", by="alice")
    )
    await asyncio.sleep(0.3)
    progress = await handle.query("progress")
    assert [p["step"] for p in progress["pending"]] == ["approve"]
    assert progress["version"] == pin[0] and progress["content_hash"] == pin[1]

    await handle.signal(
        DesignedProcess.decide, Decision(step="approve", outcome="approved", by="bob")
    )
    result = await handle.result()
    assert result.output == {"created": [s["id"] for s in students], "approved_by": "bob"}
    statuses = {(r.step, r.iteration): r.status for r in result.steps}
    assert statuses[("any_students", "0")] == "done"
    assert statuses[("create_all", "0")] == "done"
    assert {statuses[("create_user", f"{i}.0")] for i in range(3)} == {"done"}
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        for student in students:
            user = await canvas.get_user(sis("user", student["id"]))
            assert user.name == "Ada Lovelace" and user.sis_user_id == student["id"]

    # Each action's activity carries the step's name, which the Web UI shows.
    # (Summaries are payloads: sealed by the codec as inputs are, opened by the codec server.)
    sealed = [
        e.user_metadata.summary
        async for e in handle.fetch_history_events()
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    summaries = await temporal_client.data_converter.decode(sealed)
    assert summaries.count("Create the Canvas user") == 3

    # With no students the condition takes the other branch: nothing to approve.
    empty = await start(temporal_client, designer_worker, name, pin, input={"students": []})
    assert (await empty.result()).output == {"created": 0}


def approval_then_end(output: str) -> dict[str, Any]:
    return {
        "start": "wait",
        "steps": [
            {
                "id": "wait",
                "type": "approval",
                "assignee_role": "secretary",
                "prompt": "go on?",
                "next": "finish",
            },
            {"id": "finish", "type": "end", "output": {"from": output}},
        ],
    }


async def test_a_run_finishes_on_the_version_it_started_on(
    temporal_client: Client, designer_worker: Worker, publish: Any
) -> None:
    name = unique("pinned-")
    one = publish(name, approval_then_end("'version one'"))
    first = await start(temporal_client, designer_worker, name, one)
    await waiting_for(first, "wait")
    two = publish(name, approval_then_end("'version two'"))
    assert two[0] == one[0] + 1
    second = await start(temporal_client, designer_worker, name, two)
    await waiting_for(second, "wait")
    for handle in (first, second):
        await handle.signal(
            DesignedProcess.decide, Decision(step="wait", outcome="approved", by="bob")
        )
    assert (await first.result()).output == {"from": "version one"}
    assert (await second.result()).version == two[0]
    assert (await second.result()).output == {"from": "version two"}


async def test_a_run_pinned_to_a_hash_that_is_not_published_is_refused(
    temporal_client: Client, designer_worker: Worker, publish: Any
) -> None:
    name = unique("forged-")
    version, _ = publish(name, approval_then_end("'x'"))
    handle = await start(temporal_client, designer_worker, name, (version, "0" * 64))
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    assert "content hash differs" in str(caught.value.cause.__cause__)


def lookup_definition(integration: str) -> dict[str, Any]:
    """Prepare a greeting, then look the user up in Canvas (failing while it does not exist)."""
    return {
        "start": "prepare",
        "inputs": {"sis_id": {"type": "string"}},
        "steps": [
            {
                "id": "prepare",
                "type": "transform",
                "set": {
                    "greeting": "join(' ', ['hello', input.sis_id])",
                    "ref": "join(':', ['sis_user_id', input.sis_id])",
                },
                "next": "lookup",
            },
            {
                "id": "lookup",
                "type": "action",
                "action": "canvas.get_user",
                "integration": integration,
                "bind": {"user": "ref"},
                "output": "user",
                "retry": {"maximum_attempts": 1},
                "next": "finish",
            },
            {
                "id": "finish",
                "type": "end",
                "output": {"greeting": "greeting", "name": "user.name"},
            },
        ],
    }


async def test_a_failed_run_resumes_at_its_failed_step_with_its_variables(
    campus: Campus, temporal_client: Client, designer_worker: Worker, publish: Any
) -> None:
    name = unique("resume-")
    pin = publish(name, lookup_definition(campus.lms))
    sis_id = unique("R")
    run_key = uuid.uuid4().hex[:12]
    failed = await start(
        temporal_client, designer_worker, name, pin, input={"sis_id": sis_id}, run_key=run_key
    )
    with pytest.raises(WorkflowFailureError) as caught:
        await failed.result()
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "ActionFailed"
    [details] = cause.details
    assert details["failed_step"] == "lookup" and details["resume_from"] == "lookup"
    assert details["variables"]["greeting"] == f"hello {sis_id}"

    # The cause is fixed: the user now exists. The new run starts at the failed step.
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        await canvas.create_user(
            NewUser(name="Grace Hopper", unique_id=f"{sis_id}@x.edu", sis_user_id=sis_id)
        )
    resumed = await start(
        temporal_client,
        designer_worker,
        name,
        pin,
        input={"sis_id": sis_id},
        run_key=run_key,
        attempt=1,
        resume_from=details["resume_from"],
        variables=details["variables"],
    )
    assert resumed.id == f"{failed.id}:retry1"
    result = await resumed.result()
    assert result.output == {"greeting": f"hello {sis_id}", "name": "Grace Hopper"}
    assert [r.step for r in result.steps] == ["lookup", "finish"]  # prepare was not done again


async def test_a_long_for_each_continues_as_new_and_collects_every_item(
    temporal_client: Client, designer_worker: Worker, publish: Any
) -> None:
    name = unique("long-")
    pin = publish(
        name,
        {
            "start": "each",
            "variables": {"factor": 10},
            "steps": [
                {
                    "id": "each",
                    "type": "for_each",
                    "items": "input.numbers",
                    "item": "n",
                    "index": "i",
                    "body": "times",
                    "concurrency": 2,
                    "collect": "product",
                    "output": "products",
                    "next": "finish",
                },
                {"id": "times", "type": "transform", "set": {"product": "[n, factor, i]"}},
                {"id": "finish", "type": "end", "output": {"products": "products[*][0]"}},
            ],
        },
    )
    numbers = list(range(1, 8))
    handle = await start(
        temporal_client, designer_worker, name, pin, input={"numbers": numbers}, continue_after=3
    )
    result = await handle.result()
    assert result.output == {"products": numbers}
    first = await temporal_client.get_workflow_handle(
        handle.id, run_id=handle.first_execution_run_id
    ).describe()
    assert first.status is not None and first.status.name == "CONTINUED_AS_NEW"


async def test_on_error_routes_and_a_final_failure_compensates_newest_first(
    temporal_client: Client, designer_worker: Worker, publish: Any
) -> None:
    name = unique("saga-")
    pin = publish(
        name,
        {
            "start": "a",
            "steps": [
                {
                    "id": "a",
                    "type": "transform",
                    "set": {"x": "`1`"},
                    "compensate": "undo_a",
                    "next": "b",
                },
                {"id": "undo_a", "type": "transform", "set": {"undone": "x"}},
                {"id": "b", "type": "fail", "message": "b breaks", "on_error": "c"},
                {
                    "id": "c",
                    "type": "transform",
                    "set": {"seen": "error.message"},
                    "compensate": "undo_c",
                    "next": "d",
                },
                {"id": "undo_c", "type": "transform", "set": {"undone_c": "seen"}},
                {"id": "d", "type": "fail", "message": "d breaks for good"},
            ],
        },
    )
    handle = await start(temporal_client, designer_worker, name, pin)
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "Fail"
    assert cause.details[0]["failed_step"] == "d"
    assert cause.details[0]["variables"]["seen"] == "b breaks"
    records = (await handle.query("progress"))["steps"]
    order = [(r["step"], r["status"]) for r in records]
    assert order == [
        ("a", "done"),
        ("b", "routed"),
        ("c", "done"),
        ("d", "failed"),
        ("undo_c", "done"),
        ("undo_a", "done"),
    ]


async def test_a_canvas_lookup_of_a_missing_user_is_not_found(campus: Campus) -> None:
    # The premise of the resume test: the sandbox answers a missing SIS id with NotFound.
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        with pytest.raises(NotFound):
            await canvas.get_user(sis("user", unique("nobody")))


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, list[Any]]]:
    """A local webhook receiver that answers with what it got."""
    got: list[Any] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, Any]:
        got.append(await request.json())
        return {"got": got[-1]}

    with serve(app) as url:
        yield url, got


async def test_a_webhook_step_calls_through_the_egress_guard(
    temporal_client: Client, designer_worker: Worker, publish: Any, receiver: Any
) -> None:
    url, got = receiver
    name = unique("hook-")
    pin = publish(
        name,
        {
            "start": "tell",
            "steps": [
                {
                    "id": "tell",
                    "type": "webhook",
                    "url": f"{url}/hook",
                    "body": {"kind": "greeting"},
                    "bind": {"who": "input.who"},
                    "output": "answer",
                    "next": "inside",
                },
                {
                    "id": "inside",
                    "type": "webhook",
                    "url": "https://169.254.169.254/latest/meta-data",
                    "on_error": "finish",
                },
                {
                    "id": "finish",
                    "type": "end",
                    "output": {"echo": "answer.body.got", "refused": "error.message"},
                },
            ],
        },
    )
    handle = await start(temporal_client, designer_worker, name, pin, input={"who": "Ada"})
    output = (await handle.result()).output
    assert got == [{"kind": "greeting", "who": "Ada"}]
    assert output["echo"] == {"kind": "greeting", "who": "Ada"}
    assert output["refused"].startswith("EgressRefused: url: 169.254.169.254 is a link-local")
