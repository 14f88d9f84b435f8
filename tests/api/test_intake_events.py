"""What became of each accepted event, through GET /api/v1/intake/events: queued, taken into
which run, applied, coalesced into which later event, failed with its reason; bounded input and
behind events:read."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from temporalio.testing import ActivityEnvironment

from activities.intake import BatchInput, IntakeActivities
from activities.profile import ProfileActivities
from atrium.credentials import Credentials
from tests.api.webhook_support import add_canvas
from tests.conftest import ClientFor
from tests.workflows.intake_support import email_event, plant, remove

SOURCE = "intake-status-test"


async def _events(api: httpx.AsyncClient, **query: Any) -> list[dict[str, Any]]:
    answer = await api.get("/api/v1/intake/events", params={"source": SOURCE, **query})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


async def test_each_event_says_what_became_of_it(
    api: httpx.AsyncClient, engine: Engine, credentials: Credentials, sandbox_url: str
) -> None:
    canvas = await add_canvas(engine, credentials, sandbox_url)
    # Claimed by this test: no API's dispatcher takes them meanwhile.
    batch = [
        email_event(person, canvas, source=SOURCE, claimed_by="test")
        for person in ("U00024", "U00024", "U00025", "U00099999")  # the last: no such person
    ]
    # Waiting behind an earlier event of its person that is still being applied: no
    # dispatcher takes it (within the lease).
    ahead = email_event("U00026", canvas, source=SOURCE, claimed_by="test")
    waiting = email_event("U00026", canvas, source=SOURCE, claimed_by=None)
    ids = plant(engine, [*batch, ahead, waiting])
    try:
        listed = await _events(api)
        assert [e["status"] for e in listed] == ["queued"] + ["running"] * 5
        assert listed[0]["run_workflow_id"] is None  # queued: no run yet
        # Taken by the request that received it (as the test planted them): its own run.
        assert listed[1]["run_workflow_id"] == ahead.workflow_id

        env = ActivityEnvironment()
        env.info = dataclasses.replace(env.info, workflow_id="intake-batch:t")
        activities = IntakeActivities(engine, ProfileActivities(engine, credentials))
        result = await env.run(
            activities.apply_batch, BatchInput(process="profile-update", intake_ids=ids[:4])
        )
        assert (result.applied, result.writes, result.failed) == (3, 2, 1)

        by_id = {e["id"]: e for e in await _events(api)}
        first, second, other, missing = (by_id[i] for i in ids[:4])
        assert first["status"] == "coalesced" and first["coalesced_into"] == ids[1]
        assert first["coalesced_into_event_id"] == batch[1].event_id
        assert second["status"] == "applied" and second["coalesced_into"] is None
        assert other["status"] == "applied" and other["run_workflow_id"] == "intake-batch:t"
        assert missing["status"] == "failed" and missing["reason"]
        assert by_id[ids[5]]["status"] == "queued" and "input" not in by_id[ids[5]]

        # Filters: by status, subject, event ids; newest first; paging.
        assert [e["id"] for e in await _events(api, status="applied")] == [ids[2], ids[1]]
        assert [e["id"] for e in await _events(api, subject="U00024")] == [ids[1], ids[0]]
        picked = await _events(api, event_id=[batch[0].event_id, waiting.event_id])
        assert [e["id"] for e in picked] == [ids[5], ids[0]]
        page = await api.get(
            "/api/v1/intake/events", params={"source": SOURCE, "limit": 2, "offset": 2}
        )
        assert [e["id"] for e in page.json()["items"]] == [ids[3], ids[2]]
        assert page.json()["total"] == 6

        one = await api.get(f"/api/v1/intake/events/{ids[0]}")
        assert one.status_code == 200 and one.json()["status"] == "coalesced"
        assert (await api.get("/api/v1/intake/events/2147483647")).status_code == 404
    finally:
        remove(engine, SOURCE)
        await credentials.delete(canvas)


async def test_input_is_bounded_and_reading_needs_events_read(
    api: httpx.AsyncClient, client_for: ClientFor
) -> None:
    for query in (
        {"status": "done"},  # a stored status, not a public one
        {"limit": 501},
        {"source": "x" * 128},
        {"event_id": ["e"] * 101},
        {"event_id": "e" * 256},
    ):
        answer = await api.get("/api/v1/intake/events", params=query)
        assert answer.status_code == 422, (query, answer.text)
    assert (await api.get("/api/v1/intake/events/0")).status_code == 422
    student = await client_for("student", person_id="p-intake")
    assert (await student.get("/api/v1/intake/events")).status_code == 403
    leader = await client_for("leader")
    assert (await leader.get("/api/v1/intake/events")).status_code == 200
