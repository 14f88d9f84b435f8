"""Students and professors see only runs about themselves or their classes (``AtriumSubject``)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from tests.api.test_runs import add_integration, wait_closed


async def _visible(client: httpx.AsyncClient, process: str) -> set[str]:
    page = await client.get("/api/v1/runs", params={"process": process, "page_size": 200})
    assert page.status_code == 200, page.text
    return {r["workflow_id"] for r in page.json()["items"]}


async def runs_about_two_subjects(
    api: httpx.AsyncClient, engine: Engine
) -> tuple[str, str, dict[str, str]]:
    """Two finished runs, one about a person ("p-...") and one about a class ("c-..."): the
    health-check process records its integration as the run's subject, which stands in for a
    person (student) and a class (professor). Returns both subjects and their workflow ids."""
    mine, theirs = f"p-{uuid.uuid4().hex[:8]}", f"c-{uuid.uuid4().hex[:8]}"
    runs = {}
    for subject in (mine, theirs):
        add_integration(engine, subject)
        started = await api.post(
            "/api/v1/runs",
            json={"process": "integration-health-check", "input": {"integration": subject}},
        )
        assert started.status_code == 201, started.text
        runs[subject] = started.json()["workflow_id"]
        await wait_closed(api, runs[subject])
    return mine, theirs, runs


async def test_students_and_professors_see_only_their_own_runs(
    api: httpx.AsyncClient, engine: Engine, client_for: Any
) -> None:
    mine, theirs, runs = await runs_about_two_subjects(api, engine)
    student = await client_for("student", person_id=mine)
    professor = await client_for("professor", class_ids=[theirs, "c-other"])
    nobody = await client_for("student")  # no person id: sees nothing
    for _ in range(50):  # visibility is eventually consistent
        admin_sees = await _visible(api, "integration-health-check")
        if set(runs.values()) <= admin_sees:
            break
        await asyncio.sleep(0.1)
    assert await _visible(student, "integration-health-check") == {runs[mine]}
    assert await _visible(professor, "integration-health-check") == {runs[theirs]}
    assert await _visible(nobody, "integration-health-check") == set()
    assert (await student.get(f"/api/v1/runs/{runs[mine]}")).status_code == 200
    hidden = await student.get(f"/api/v1/runs/{runs[theirs]}")
    assert hidden.status_code == 404  # not 403: others' runs are not even confirmed to exist
    assert (await professor.get(f"/api/v1/runs/{runs[mine]}")).status_code == 404
    assert (await professor.get(f"/api/v1/runs/{runs[theirs]}")).status_code == 200
