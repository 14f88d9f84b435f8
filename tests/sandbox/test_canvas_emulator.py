"""The Canvas emulator on the wire: auth bodies, pagination headers, parameters, throttling."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from sandbox.canvas import create_app
from sandbox.context import SystemContext
from tests.sandbox.control import credentials_of, injected_faults, rotated_credentials
from tests.support.servers import serve


@pytest_asyncio.fixture(loop_scope="session")
async def api(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    token = (await credentials_of(sandbox_url, "canvas"))["token"]
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=f"{sandbox_url}/canvas/api/v1", headers=headers
    ) as client:
        yield client


async def test_missing_and_wrong_tokens_get_canvas_401_bodies(sandbox_url: str) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/canvas/api/v1") as client:
        missing = await client.get("/users/self")
        wrong = await client.get("/users/self", headers={"Authorization": "Bearer 1~wrong"})
    assert missing.status_code == 401
    assert missing.json() == {
        "status": "unauthenticated",
        "errors": [{"message": "user authorization required"}],
    }
    assert wrong.status_code == 401
    assert wrong.json() == {"errors": [{"message": "Invalid access token."}]}
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'


async def test_the_old_token_stops_working_after_rotation(
    sandbox_url: str, api: httpx.AsyncClient
) -> None:
    async with rotated_credentials(sandbox_url, "canvas", token="9~fresh") as rotated:
        assert (await api.get("/users/self")).status_code == 401
        fresh = await api.get(
            "/users/self", headers={"Authorization": f"Bearer {rotated['token']}"}
        )
        assert fresh.status_code == 200 and fresh.json()["id"] == 1
    assert (await api.get("/users/self")).status_code == 200


async def test_pages_default_to_ten_cap_at_a_hundred_and_link_every_rel(
    api: httpx.AsyncClient,
) -> None:
    first = await api.get("/accounts/1/users")
    assert len(first.json()) == 10
    assert set(first.links) == {"current", "next", "first", "last"}
    second = await api.get(first.links["next"]["url"])
    assert set(second.links) == {"current", "next", "prev", "first", "last"}
    assert {u["id"] for u in first.json()}.isdisjoint({u["id"] for u in second.json()})
    capped = await api.get("/accounts/1/users", params={"per_page": 500})
    assert (
        len(capped.json()) == min(100, len(capped.json()))
        and "per_page=100" in capped.links["current"]["url"]
    )
    last = await api.get(first.links["last"]["url"])
    assert "next" not in last.links


async def _walk(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    answer = await api.get("/accounts/1/users", params={"per_page": 7, **params})
    while True:
        users += answer.json()
        if "next" not in answer.links:
            return users
        answer = await api.get(answer.links["next"]["url"])


async def test_every_user_is_listed_once_in_order_whichever_way_the_pages_are_found(
    api: httpx.AsyncClient,
) -> None:
    by_name = await _walk(api)
    assert len(by_name) > 20
    assert len({u["id"] for u in by_name}) == len(by_name)
    assert by_name == sorted(by_name, key=lambda u: (u["sortable_name"], u["id"]))
    assert [u["id"] for u in await _walk(api, order="desc")] == [
        u["id"] for u in sorted(by_name, key=lambda u: (u["sortable_name"], -u["id"]), reverse=True)
    ]
    by_sis_id = await _walk(api, sort="sis_id")
    assert sorted(u["id"] for u in by_sis_id) == sorted(u["id"] for u in by_name)
    assert all(u["login_id"] for u in by_name)
    found = await _walk(api, search_term=by_name[3]["login_id"])
    assert by_name[3]["id"] in {u["id"] for u in found}


async def test_form_brackets_and_json_bodies_are_both_accepted(api: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:8]
    form = await api.post(
        "/accounts/self/users",
        data={
            "user[name]": "Form Person",
            "pseudonym[unique_id]": f"form-{tag}",
            "pseudonym[sis_user_id]": f"F{tag}",
        },
    )
    body = await api.post(
        "/accounts/self/users",
        json={
            "user": {"name": "Json Person"},
            "pseudonym": {"unique_id": f"json-{tag}", "sis_user_id": f"J{tag}"},
        },
    )
    assert form.status_code == body.status_code == 200
    assert (await api.get(f"/users/sis_user_id:F{tag}")).json()["name"] == "Form Person"
    assert (await api.get(f"/users/sis_user_id:J{tag}")).json()["login_id"] == f"json-{tag}"
    taken = await api.post("/accounts/self/users", data={"pseudonym[unique_id]": f"form-{tag}"})
    assert taken.status_code == 400
    assert taken.json()["errors"]["pseudonym"]["unique_id"][0]["type"] == "taken"


async def test_every_answer_carries_throttle_headers_and_a_full_bucket_says_so(
    sandbox_url: str, api: httpx.AsyncClient
) -> None:
    ok = await api.get("/accounts/1")
    assert (
        float(ok.headers["X-Request-Cost"]) >= 0
        and float(ok.headers["X-Rate-Limit-Remaining"]) <= 700
    )
    async with rotated_credentials(sandbox_url, "canvas", token="9~bucket") as rotated:
        headers = {"Authorization": f"Bearer {rotated['token']}"}
        async with injected_faults(sandbox_url, "canvas", rate_limit_per_second=1):
            answers = [await api.get("/accounts/1", headers=headers) for _ in range(16)]
    refused = [a for a in answers if a.status_code == 403]
    assert refused and refused[0].text == "403 Forbidden (Rate Limit Exceeded)"
    assert answers[0].headers["X-Request-Cost"] == "50.000000"


async def test_malformed_fault_drops_ids_from_list_records(
    sandbox_url: str, api: httpx.AsyncClient
) -> None:
    async with injected_faults(sandbox_url, "canvas", malformed_rate=1.0):
        users = (await api.get("/accounts/1/users")).json()
    assert users and all("id" not in u for u in users)


async def test_multipart_upload_and_diffing_against_the_previous_import(
    sandbox_url: str, api: httpx.AsyncClient
) -> None:
    tag = uuid.uuid4().hex[:8]
    header = "user_id,login_id,first_name,last_name,email,status\n"
    first = header + f"A{tag},a{tag},Ann,One,,active\nB{tag},b{tag},Bob,Two,,active\n"
    second = header + f"A{tag},a{tag},Ann,One,,active\n"  # Bob left the data set
    ids = []
    for content in (first, second):
        created = await api.post(
            "/accounts/1/sis_imports",
            params={
                "import_type": "instructure_csv",
                "diffing_data_set_identifier": f"users:{tag}",
            },
            files={"attachment": ("users.csv", content.encode(), "text/csv")},
        )
        assert created.status_code == 200, created.text
        ids.append(created.json()["id"])
        done = await _finished(api, created.json()["id"])
        assert done["workflow_state"] == "imported"
    assert done["diffed_against_import_id"] == ids[0]
    assert done["data"]["counts"]["users"] == 0  # Ann did not change, so nothing was applied
    bob = (await api.get(f"/users/sis_user_id:B{tag}/logins")).json()
    assert bob == []  # deleted users keep no active login
    async with httpx.AsyncClient() as control:
        counts = (await control.get(f"{sandbox_url}/canvas/_control/counts")).json()
    assert counts["users"]["deleted"] >= 1


async def test_a_broken_zip_fails_with_messages_and_sub_accounts_cannot_import(
    api: httpx.AsyncClient,
) -> None:
    created = await api.post(
        "/accounts/1/sis_imports",
        params={"extension": "zip"},
        content=b"not a zip",
        headers={"Content-Type": "application/zip"},
    )
    done = await _finished(api, created.json()["id"])
    assert done["workflow_state"] == "failed_with_messages" and done["processing_errors"]
    sub = await api.post(
        "/accounts/2/sis_imports", content=b"x", headers={"Content-Type": "text/csv"}
    )
    assert sub.status_code == 400
    assert sub.json() == {"errors": ["SIS imports can only be executed on root accounts"]}


def test_state_survives_a_restart_without_reseeding(tmp_path: Path) -> None:
    ctx = SystemContext(name="canvas", data_dir=tmp_path, seed=7)

    def run(action: str) -> int:
        root = FastAPI()
        root.mount("/canvas", create_app(SystemContext(name="canvas", data_dir=tmp_path, seed=7)))
        with serve(root) as url, httpx.Client(base_url=f"{url}/canvas") as client:
            token = {"Authorization": f"Bearer {_token(ctx)}"}
            if action == "write":
                client.post(
                    "/api/v1/accounts/1/users", headers=token, data={"pseudonym[unique_id]": "kept"}
                )
            return int(client.get("/_control/counts").json()["users"]["total"])

    before = run("write")
    assert run("read") == before


def _token(ctx: SystemContext) -> str:
    from sandbox.canvas.seed import demo_token

    return demo_token(ctx.seed)


async def _finished(api: httpx.AsyncClient, import_id: int) -> dict[str, Any]:
    for _ in range(100):
        found: dict[str, Any] = (await api.get(f"/accounts/1/sis_imports/{import_id}")).json()
        if found["workflow_state"] not in ("initializing", "created", "importing"):
            return found
        await asyncio.sleep(0.05)
    pytest.fail(f"SIS import {import_id} did not finish")


async def test_include_nests_what_was_asked_and_one_assignment_grades_through_a_progress(
    api: httpx.AsyncClient,
) -> None:
    tag = uuid.uuid4().hex[:8]
    course = (
        await api.post("/accounts/self/courses", json={"course": {"name": f"Inc {tag}"}})
    ).json()
    user = (
        await api.post(
            "/accounts/self/users",
            json={"user": {"name": "Ida"}, "pseudonym": {"unique_id": f"ida-{tag}"}},
        )
    ).json()
    base = f"/courses/{course['id']}"
    enrolled = await api.post(
        f"{base}/enrollments",
        json={"enrollment": {"user_id": user["id"], "type": "StudentEnrollment"}},
    )
    assert enrolled.status_code == 200
    made = await api.post(
        f"{base}/assignments", data={"assignment[name]": "Quiz", "assignment[points_possible]": 10}
    )
    assignment = made.json()
    assert isinstance(assignment["assignment_group_id"], int)

    plain = (await api.get(f"{base}/assignment_groups")).json()
    include = {"include[]": "assignments"}
    nested = (await api.get(f"{base}/assignment_groups", params=include)).json()
    assert [g["name"] for g in plain] == ["Assignments"] and "assignments" not in plain[0]
    assert [a["id"] for a in nested[0]["assignments"]] == [assignment["id"]]

    progress = await api.post(
        f"{base}/assignments/{assignment['id']}/submissions/update_grades",
        data={f"grade_data[{user['id']}][posted_grade]": "7"},
    )
    body = progress.json()
    assert progress.status_code == 200
    assert {"id", "context_id", "context_type", "tag", "workflow_state", "url"} <= set(body)
    assert (body["context_type"], body["tag"]) == ("Course", "submissions_update")
    for _ in range(100):
        state = (await api.get(f"/progress/{body['id']}")).json()["workflow_state"]
        if state in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    assert state == "completed"

    params = httpx.QueryParams(
        [("student_ids[]", "all"), ("include[]", "user"), ("include[]", "assignment")]
    )
    [submission] = (await api.get(f"{base}/students/submissions", params=params)).json()
    assert submission["score"] == 7.0
    assert submission["user"]["id"] == user["id"] and submission["assignment"]["name"] == "Quiz"
    [bare] = (await api.get(f"{base}/students/submissions", params={"student_ids[]": "all"})).json()
    assert "user" not in bare and "assignment" not in bare

    missing = await api.post(
        f"{base}/assignments/987654321/submissions/update_grades",
        data={f"grade_data[{user['id']}][posted_grade]": "7"},
    )
    assert missing.status_code == 404
    bad = await api.post(f"{base}/grading_standards", json={"title": "x"})
    assert bad.status_code == 400 and "grading_scheme_entry" in bad.json()["errors"]
    assert (await api.put(base, json={"course": {"event": "delete"}})).status_code == 200
