"""Finding 10: NUL and control characters were accepted in names, descriptions, ``full_name``,
``base_url`` and ``message_key`` (one ended up in a Temporal workflow id; a NUL base URL broke
every health check). Every such field refuses them with a 422 naming it, and nothing is stored."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.api.test_runs import add_integration
from tests.support.auth import make_user

# NUL, an ANSI escape, DEL, a C1 control (NEL) and a lone surrogate.
BAD = ["a\x00b", "a\x1b[31mb", "a\x7fb", "a\x85b", "a\ud800b"]


def _unique() -> str:
    return uuid.uuid4().hex[:8]


async def _send(api: httpx.AsyncClient, method: str, path: str, body: dict[str, Any]) -> Any:
    # json.dumps escapes to ASCII: a lone surrogate travels as "\ud800", as an attacker sends it.
    return await api.request(
        method, path, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )


def _refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, f"{field}: {answer.status_code} {answer.text}"
    assert field in answer.json()["error"], (field, answer.text)


Case = tuple[str, str, Callable[[str, str], dict[str, Any]], str, str | None]

# (method, path, body(name, bad value), field named, where the thing would be found if stored)
CREATES: list[Case] = [
    ("POST", "/api/v1/integrations",
     lambda n, v: {"name": n, "system": "generic", "base_url": "http://127.0.0.1:9/" + v},
     "base_url", "/api/v1/integrations/{n}"),
    ("POST", "/api/v1/integrations",
     lambda n, v: {"name": n, "system": "generic", "base_url": "http://127.0.0.1:9",
                   "description": v},
     "description", "/api/v1/integrations/{n}"),
    ("POST", "/api/v1/integrations",
     lambda n, v: {"name": n, "system": "generic", "base_url": "http://127.0.0.1:9",
                   "health_path": "/" + v},
     "health_path", "/api/v1/integrations/{n}"),
    ("POST", "/api/v1/users",
     lambda n, v: {"username": n, "role": "student", "password": "long-enough-password",
                   "full_name": v},
     "full_name", "/api/v1/users/{n}"),
    ("POST", "/api/v1/users",
     lambda n, v: {"username": n + "\n", "role": "student", "password": "long-enough-password"},
     "username", "/api/v1/users/{n}"),
    ("POST", "/api/v1/mappings",
     lambda n, v: {"name": n, "record_type": "users", "description": v, "spec": {}},
     "description", "/api/v1/mappings/{n}"),
    ("POST", "/api/v1/webhooks/sources",
     lambda n, v: {"name": n, "description": v},
     "description", None),
    ("POST", "/api/v1/webhooks/rules",
     lambda n, v: {"source": n, "event_type": v, "process": "integration-health-check"},
     "event_type", None),
    ("POST", "/api/v1/webhooks/rules",
     lambda n, v: {"source": n, "event_type": "x", "process": "integration-health-check",
                   "input_mapping": {"integration": v}},
     "input_mapping", None),
    ("POST", "/api/v1/subscriptions",
     lambda n, v: {"url": f"http://127.0.0.1:9/{n}{v}", "event_types": ["run.failed"]},
     "url", None),
    ("POST", "/api/v1/api-keys",
     lambda n, v: {"name": n + v, "scopes": ["runs:read"]},
     "name", None),
    ("POST", "/api/v1/runs",
     lambda n, v: {"process": "notify",
                   "input": {"message_key": n + v, "recipient": "a@example.org",
                             "template": "welcome"}},
     "message_key", None),
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD, ids=["nul", "escape", "del", "c1", "surrogate"])
@pytest.mark.parametrize(
    "case", CREATES, ids=[f"{c[1].rsplit('/', 1)[-1]}.{c[3]}" for c in CREATES]
)
async def test_control_characters_are_refused_and_nothing_is_stored(
    api: httpx.AsyncClient, case: Case, bad: str
) -> None:
    method, path, body, field, where = case
    name = f"ctl-{_unique()}"
    _refused(await _send(api, method, path, body(name, bad)), field)
    if where is not None:
        assert (await api.get(where.format(n=name))).status_code == 404


async def test_rules_and_sources_and_keys_are_not_stored(api: httpx.AsyncClient) -> None:
    """The cases above without a read-one route: nothing with their marker is listed."""
    marker = f"ctl-{_unique()}"
    for path, body in (
        ("/api/v1/webhooks/sources", {"name": marker, "description": "\x00"}),
        ("/api/v1/webhooks/rules", {"source": marker, "event_type": "x\x00", "process": "p"}),
        ("/api/v1/api-keys", {"name": marker + "\x00", "scopes": ["runs:read"]}),
        ("/api/v1/subscriptions", {"url": f"http://127.0.0.1:9/{marker}\x00",
                                   "event_types": ["run.failed"]}),
    ):  # fmt: skip
        assert (await _send(api, "POST", path, body)).status_code == 422
    for listing in (
        "/api/v1/webhooks/sources",
        "/api/v1/webhooks/rules",
        "/api/v1/api-keys?limit=500",
        "/api/v1/subscriptions",
    ):
        answer = await api.get(listing)
        assert answer.status_code == 200 and marker not in answer.text, listing


async def test_changes_with_control_characters_are_refused_and_nothing_changes(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    integration = f"ctl-{_unique()}"
    add_integration(engine, integration)
    username = make_user(engine, "student")
    before_integration = (await api.get(f"/api/v1/integrations/{integration}")).json()
    before_user = (await api.get(f"/api/v1/users/{username}")).json()
    try:
        for bad in BAD:
            for path, body, field in (
                (f"/api/v1/integrations/{integration}", {"base_url": "http://x.org/" + bad},
                 "base_url"),
                (f"/api/v1/integrations/{integration}", {"description": bad}, "description"),
                (f"/api/v1/users/{username}", {"full_name": bad}, "full_name"),
            ):  # fmt: skip
                _refused(await _send(api, "PATCH", path, body), field)
        after = (await api.get(f"/api/v1/integrations/{integration}")).json()
        assert after["base_url"] == before_integration["base_url"]
        assert after["description"] == before_integration["description"]
        assert (await api.get(f"/api/v1/users/{username}")).json() == before_user
    finally:
        await api.delete(f"/api/v1/integrations/{integration}")
        await api.delete(f"/api/v1/users/{username}")


async def test_tab_and_newline_stay_allowed_in_descriptions(api: httpx.AsyncClient) -> None:
    name = f"ctl-{_unique()}"
    text = "first line\n\tindented second line"
    created = await api.post(
        "/api/v1/integrations",
        json={"name": name, "system": "generic", "base_url": "http://127.0.0.1:9",
              "description": text},
    )  # fmt: skip
    try:
        assert created.status_code == 201, created.text
        assert created.json()["description"] == text
        # But not in a one-line field.
        renamed = await api.patch(f"/api/v1/integrations/{name}", json={"base_url": "http://a\n"})
        _refused(renamed, "base_url")
    finally:
        assert (await api.delete(f"/api/v1/integrations/{name}")).status_code == 204


async def test_a_login_name_with_control_characters_is_refused_like_a_wrong_one(
    api_url: str,
) -> None:
    # On PostgreSQL a NUL in the lookup raised a database error (a 500); no account can have it.
    async with httpx.AsyncClient(base_url=api_url) as client:
        for bad in ("adm\x00in", "admin\x1b", "admin\x85"):
            answer = await client.post(
                "/api/v1/auth/token", data={"username": bad, "password": "whatever-it-is"}
            )
            assert answer.status_code == 401, answer.text
            assert "username or password" in answer.json()["error"]


async def test_no_run_id_can_hold_a_control_character(api: httpx.AsyncClient) -> None:
    # proctored-exam builds its id from the course, free text in its input model: the run
    # route checks the id every process would get, whichever field it comes from.
    course = f"c-{_unique()}\nforged"
    answer = await api.post(
        "/api/v1/runs",
        json={"process": "proctored-exam",
              "input": {"course": course, "assignment_id": 5,
                        "reviewer_email": "r@example.org"}},
    )  # fmt: skip
    _refused(answer, "input")
    listed = await api.get("/api/v1/runs", params={"process": "proctored-exam"})
    assert listed.status_code == 200 and course not in listed.text


async def test_control_characters_in_json_keys_are_refused(api: httpx.AsyncClient) -> None:
    for key in ("a\x00", "a\ud800", "a\nb"):
        body = {"process": "integration-health-check", "input": {key: 1}}
        _refused(await _send(api, "POST", "/api/v1/runs", body), "input")
