"""Sub-process steps against the real engine: a designed process runs the built-in
``integration-health-check`` as a child and waits for its result, and runs another designed
process (pinned to its latest published version when the step starts)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from activities.actions import ActionActivities
from activities.designer import DesignerActivities
from activities.events import EventActivities
from activities.health import HealthActivities
from activities.runtime import Runtime
from atrium.credentials import Credentials
from atrium.designer.runs import MAX_DEPTH
from atrium.egress import EgressPolicy
from atrium.settings import Settings
from tests.workflows import test_designed_process as designed
from tests.workflows.conftest import Campus, unique
from worker import WorkerActivities
from workflows.announce import AnnounceRuns
from workflows.designed_process import DesignedProcess, child_workflow_id
from workflows.health_check import IntegrationHealthCheck

start = designed.start
published_versions = designed.publish  # the ``publish`` fixture, under this name


@pytest.fixture(scope="module")
async def subprocess_worker(
    temporal_client: Client, settings: Settings, engine: Engine, credentials: Credentials
) -> AsyncIterator[Worker]:
    """The interpreter and the built-in child it starts, on one queue (a child runs on its
    parent's); the session's main queue while histories are recorded."""
    from activities.connections import origin_guard
    from atrium.egress import configure

    configure(settings.egress)
    recording = bool(os.environ.get("ATRIUM_RECORD_HISTORIES"))
    queue = settings.temporal.task_queue if recording else f"subprocess-{uuid.uuid4().hex[:8]}"
    runtime = Runtime(engine, credentials.guarded(origin_guard(engine)))
    designer = DesignerActivities(engine, EgressPolicy.from_settings(settings.events))
    built = WorkerActivities(engine, credentials, settings.events)
    async with Worker(
        temporal_client,
        task_queue=queue,
        workflows=[DesignedProcess, IntegrationHealthCheck],
        activities=[
            ActionActivities(runtime).run_action,
            designer.load_definition,
            designer.latest_version,
            built.get(HealthActivities).check_health,
            built.get(EventActivities).publish_events,
        ],
        interceptors=[AnnounceRuns()],
    ) as worker:
        yield worker


def health_parent(integration: str) -> dict[str, Any]:
    return {
        "start": "check",
        "steps": [
            {
                "id": "check",
                "type": "subprocess",
                "name": "Check the LMS connection",
                "process": "integration-health-check",
                "bind": {"integration": "input.lms"},
                "output": "checked",
                "next": "finish",
            },
            {
                "id": "finish",
                "type": "end",
                "output": {
                    "healthy": "checked.result.healthy",
                    "status": "checked.result.status_code",
                    "integration": "checked.result.integration",
                    "child": "checked.workflow_id",
                },
            },
        ],
    }


async def test_a_subprocess_runs_a_built_in_process_and_waits_for_its_result(
    campus: Campus, temporal_client: Client, subprocess_worker: Worker, published_versions: Any
) -> None:
    name = unique("subprocess-health-")
    pin = published_versions(name, health_parent(campus.lms))
    run_key = uuid.uuid4().hex[:12]
    handle = await start(
        temporal_client, subprocess_worker, name, pin, input={"lms": campus.lms}, run_key=run_key
    )
    result = await handle.result()
    child = child_workflow_id(run_key, "check", "0")
    # The sandbox's Canvas answers its health path ("/") as it does; the child's result, whatever
    # it says, is what the parent received.
    output = result.output
    assert output["integration"] == campus.lms and output["child"] == child
    assert isinstance(output["healthy"], bool) and isinstance(output["status"], int)
    described = await temporal_client.get_workflow_handle(child).describe()
    assert described.workflow_type == "integration-health-check"
    assert described.parent_id == handle.id


def greeter() -> dict[str, Any]:
    return {
        "start": "greet",
        "inputs": {"who": {"type": "string"}},
        "steps": [
            {
                "id": "greet",
                "type": "end",
                "output": {"greeting": "join(' ', ['hello', input.who])"},
            }
        ],
    }


async def test_a_subprocess_runs_the_latest_published_version_of_a_designed_process(
    temporal_client: Client, subprocess_worker: Worker, published_versions: Any
) -> None:
    child_name = unique("subprocess-child-")
    published_versions(child_name, {**greeter(), "steps": [{"id": "greet", "type": "end"}]})
    latest = published_versions(child_name, greeter())
    parent = unique("subprocess-parent-")
    pin = published_versions(
        parent,
        {
            "start": "call",
            "steps": [
                {
                    "id": "call",
                    "type": "subprocess",
                    "process": f"designed:{child_name}",
                    "input": {"who": "Ada"},
                    "output": "called",
                    "next": "also",
                },
                {
                    "id": "also",
                    "type": "subprocess",
                    "process": f"designed:{child_name}",
                    "input": {"who": "Grace"},
                    "wait": False,
                    "output": "started",
                    "next": "finish",
                },
                {
                    "id": "finish",
                    "type": "end",
                    "output": {
                        "greeting": "called.result.output.greeting",
                        "version": "called.version",
                        "waited": "started.result",
                        "other": "started.workflow_id",
                    },
                },
            ],
        },
    )
    handle = await start(temporal_client, subprocess_worker, parent, pin)
    output = (await handle.result()).output
    assert output["greeting"] == "hello Ada"
    assert output["version"] == latest[0]
    assert output["waited"] is None
    other = await temporal_client.get_workflow_handle(output["other"]).result()
    assert other["output"] == {"greeting": "hello Grace"} and other["version"] == latest[0]


async def test_a_designed_child_refusing_its_input_fails_the_step(
    temporal_client: Client, subprocess_worker: Worker, published_versions: Any
) -> None:
    child_name = unique("subprocess-strict-")
    published_versions(child_name, greeter())
    parent = unique("subprocess-wrong-")
    pin = published_versions(
        parent,
        {
            "start": "call",
            "steps": [
                {
                    "id": "call",
                    "type": "subprocess",
                    "process": f"designed:{child_name}",
                    "input": {"who": 7},
                    "on_error": "finish",
                },
                {"id": "finish", "type": "end", "output": {"why": "error.message"}},
            ],
        },
    )
    handle = await start(temporal_client, subprocess_worker, parent, pin)
    assert (await handle.result()).output == {"why": "input.who: must be of type string"}


async def test_a_failed_child_is_the_steps_failure_and_routes_on_error(
    temporal_client: Client, subprocess_worker: Worker, published_versions: Any
) -> None:
    child_name = unique("subprocess-breaks-")
    published_versions(
        child_name, {"start": "oops", "steps": [{"id": "oops", "type": "fail", "message": "no"}]}
    )
    parent = unique("subprocess-routes-")
    pin = published_versions(
        parent,
        {
            "start": "call",
            "steps": [
                {
                    "id": "call",
                    "type": "subprocess",
                    "process": f"designed:{child_name}",
                    "on_error": "finish",
                },
                {"id": "finish", "type": "end", "output": {"error": "error"}},
            ],
        },
    )
    handle = await start(temporal_client, subprocess_worker, parent, pin)
    error = (await handle.result()).output["error"]
    assert error["step"] == "call" and error["type"] == "SubprocessFailed"
    assert "step 'oops' failed: no" in error["message"]


async def test_a_designed_process_running_itself_ends_at_the_nesting_bound(
    temporal_client: Client, subprocess_worker: Worker, published_versions: Any
) -> None:
    name = unique("subprocess-itself-")
    pin = published_versions(
        name,
        {
            "start": "again",
            "steps": [{"id": "again", "type": "subprocess", "process": f"designed:{name}"}],
        },
    )
    handle = await start(temporal_client, subprocess_worker, name, pin)
    with pytest.raises(WorkflowFailureError) as caught:
        await handle.result()
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "SubprocessFailed"
    assert f"designed processes nested deeper than {MAX_DEPTH}" in str(cause)
