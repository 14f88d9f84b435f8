"""Roster sync into Moodle, then a two-way profile sync Canvas <-> Moodle with a policy per
field: an edit on one side flows across, the source of truth reverts the other side, and a real
conflict waits in /api/v1/conflicts until an administrator resolves it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.settings import Settings
from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import UserUpdate
from connectors.credentials import static_credentials
from connectors.moodle import MoodleClient
from connectors.moodle.models import UserUpdate as MoodleUpdate
from tests.api.webhook_support import Subscriber, subscribed
from tests.workflows.sync_env import (
    Pair,
    SyncSandbox,
    eventually,
    register,
    start_sandbox,
    start_sync,
)
from workflows.profile_sync import ProfileSync, ProfileSyncInput

PEOPLE = ["stu-0000001", "stu-0000002", "stu-0000003"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("profile-sandbox"))


async def test_two_way_profile_sync_with_each_policy(
    sandbox: SyncSandbox,
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
    api: httpx.AsyncClient,
) -> None:
    source = await register(engine, credentials, sandbox, "oneroster")
    lms_a = await register(engine, credentials, sandbox, "canvas")
    lms_b = await register(engine, credentials, sandbox, "moodle")
    queue = settings.temporal.task_queue
    into_moodle = await (
        await start_sync(temporal_client, queue, Pair(source, lms_b, "moodle"), page_size=500)
    ).result()
    assert (
        into_moodle.totals["users"].created == 314
        and into_moodle.totals["enrollments"].quarantined == 0
    )
    await (
        await start_sync(temporal_client, queue, Pair(source, lms_a, "canvas"), page_size=500)
    ).result()

    pair = f"pair-{uuid.uuid4().hex[:6]}"
    policies = {
        "email": {"policy": "source_of_truth", "owner": lms_a},
        "name": {"policy": "manual"},
    }

    async def profile_sync() -> object:
        arg = ProfileSyncInput.model_validate(
            {"pair": pair, "a": lms_a, "b": lms_b, "person_ids": PEOPLE, "policies": policies}
        )
        return await temporal_client.start_workflow(
            ProfileSync.run, arg, id=f"profile-sync-{pair}-{uuid.uuid4().hex[:4]}", task_queue=queue
        )

    first = await (await profile_sync()).result()  # type: ignore[attr-defined]
    assert first.conflicts == 0  # both LMSs got the same roster: the base is recorded

    canvas = CanvasClient(
        sandbox.base("canvas"), static_credentials(sandbox.contexts["canvas"].credentials)
    )
    moodle = MoodleClient(
        sandbox.base("moodle"), static_credentials(sandbox.contexts["moodle"].credentials)
    )
    ids = {u.idnumber: u.id async for u in moodle.users_by_field("idnumber", PEOPLE)}
    p1, p2, p3 = PEOPLE
    await canvas.update_user(sis("user", p1), UserUpdate(name="Alpha One"))  # both edit p1's name
    await moodle.update_users([MoodleUpdate(id=ids[p1], firstname="Beta", lastname="One")])
    await moodle.update_users(
        [MoodleUpdate(id=ids[p2], email="moodle-only@example.org")]
    )  # truth: canvas
    await moodle.update_users(
        [MoodleUpdate(id=ids[p3], firstname="Gamma", lastname="Three")]
    )  # one side

    async with subscribed(api, ["conflict.raised", "record.synced"]) as sub:
        handle = await profile_sync()
        conflicts = await eventually(lambda: _open(api, pair))
        raised = await eventually(lambda: _raised(sub, pair))
        assert [e["data"]["conflict_id"] for e in raised] == [conflicts[0]["id"]]
        assert [(c["source_id"], c["field"]) for c in conflicts] == [(p1, "name")]
        assert (
            conflicts[0]["values"][lms_a] == "Alpha One"
            and conflicts[0]["values"][lms_b] == "Beta One"
        )
        bad = await api.post(
            f"/api/v1/conflicts/{conflicts[0]['id']}/resolve", json={"choose": "erp"}
        )
        assert bad.status_code == 422 and "choose" in bad.json()["error"]
        done = await api.post(
            f"/api/v1/conflicts/{conflicts[0]['id']}/resolve", json={"choose": lms_b}
        )
        assert done.status_code == 200, done.text
        result = await handle.result()  # type: ignore[attr-defined]
        assert (result.conflicts, result.resolved) == (1, 1)
        # Every write the run made is announced once: p2's email put back in Moodle, p3's
        # name carried to Canvas, then p1's name as the administrator chose.
        wanted = [(lms_a, p1), (lms_a, p3), (lms_b, p2)]
        synced = await eventually(lambda: _synced(sub, pair, len(wanted)))
        assert sorted((e["data"]["integration"], e["data"]["source_id"]) for e in synced) == (
            wanted
        )
    again = await api.post(
        f"/api/v1/conflicts/{conflicts[0]['id']}/resolve", json={"choose": lms_b}
    )
    assert again.status_code == 409

    assert (await canvas.get_user(sis("user", p1))).name == "Beta One"  # the administrator's choice
    after = {u.idnumber: u async for u in moodle.users_by_field("idnumber", PEOPLE)}
    assert after[p2].email != "moodle-only@example.org"  # reverted to the source of truth
    assert (await canvas.get_user(sis("user", p3))).name == "Gamma Three"  # flowed across
    await canvas.aclose()
    await moodle.aclose()


async def _open(api: httpx.AsyncClient, pair: str) -> list[dict[str, object]]:
    answer = await api.get("/api/v1/conflicts", params={"integration": pair})
    return list(answer.json())


async def _synced(sub: Subscriber, pair: str, at_least: int) -> list[dict]:
    """The record.synced events about ``pair``, once there are ``at_least`` of them."""
    found = [e for e in sub.events("record.synced") if e["data"]["source"] == pair]
    return found if len(found) >= at_least else []


async def _raised(sub: Subscriber, pair: str) -> list[dict]:
    """The conflict.raised events about ``pair`` the subscriber has got so far."""
    return [e for e in sub.events("conflict.raised") if e["data"]["pair"] == pair]
