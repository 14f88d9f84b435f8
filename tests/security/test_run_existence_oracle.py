"""Finding 6: run ids are predictable (``health-check-<integration>``, ``notify-<key>``...), so a
student or professor who gets one answer for "exists but is not yours" and another for "does not
exist" learns which runs exist. Both must get the very same status and body."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from tests.api.test_self_scoped_runs import runs_about_two_subjects


def _answer(response: httpx.Response) -> tuple[int, Any, str | None]:
    return response.status_code, response.json(), response.headers.get("content-type")


async def test_someone_elses_run_and_a_missing_run_answer_alike(
    api: httpx.AsyncClient, engine: Engine, client_for: Any
) -> None:
    mine, theirs, runs = await runs_about_two_subjects(api, engine)
    student = await client_for("student", person_id=mine)
    professor = await client_for("professor", class_ids=["c-nothing-of-theirs"])
    hidden = runs[theirs]  # exists, about another subject
    missing = f"health-check-c-{uuid.uuid4().hex[:8]}"  # the same shape, never started
    assert (await api.get(f"/api/v1/runs/{missing}")).status_code == 404  # truly absent
    assert (await api.get(f"/api/v1/runs/{hidden}")).status_code == 200  # truly there

    for caller in (student, professor):
        seen_hidden = _answer(await caller.get(f"/api/v1/runs/{hidden}"))
        seen_missing = _answer(await caller.get(f"/api/v1/runs/{missing}"))
        assert seen_hidden[0] == 404, seen_hidden
        assert seen_hidden == seen_missing  # status, body and content type: nothing to tell

    # An administrator gets that same answer for a missing run: no message tells them apart.
    assert _answer(await api.get(f"/api/v1/runs/{missing}")) == seen_missing
    # And the student still reads its own run.
    assert (await student.get(f"/api/v1/runs/{runs[mine]}")).status_code == 200
