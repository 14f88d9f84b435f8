"""Per-caller rate limits: 429 with Retry-After and RateLimit-* headers, also shared by two API
instances through Redis."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.main import create_app
from atrium.settings import Settings
from tests.support.auth import bearer, login, make_api_key, make_user
from tests.support.servers import serve

REDIS = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@contextmanager
def _apps(settings: Settings, count: int, **api: str) -> Iterator[list[str]]:
    limited = settings.model_copy(update={"api": settings.api.model_copy(update=api)})
    with ExitStack() as stack:
        yield [stack.enter_context(serve(create_app(limited))) for _ in range(count)]


@pytest.fixture
def limited_api(settings: Settings) -> Iterator[str]:
    """An API allowing each caller 5 calls per minute (in memory)."""
    with _apps(settings, 1, rate_limit="5/minute", login_rate_limit="3/minute") as urls:
        yield urls[0]


def test_the_sixth_call_in_a_minute_gets_429_with_headers(limited_api: str, engine: Engine) -> None:
    token = login(limited_api, make_user(engine, "leader"))
    with httpx.Client(base_url=limited_api, headers=bearer(token)) as client:
        answers = [client.get("/api/v1/processes") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    first, refused = answers[0], answers[-1]
    assert first.headers["RateLimit-Limit"] == "5" and first.headers["RateLimit-Remaining"] == "4"
    assert 0 < int(first.headers["RateLimit-Reset"]) <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "rate limit" in refused.json()["error"]


def test_limits_are_per_caller(limited_api: str, engine: Engine) -> None:
    owner = make_user(engine, "administrator")
    _, key_a = make_api_key(engine, owner, ["processes:read"])
    _, key_b = make_api_key(engine, owner, ["processes:read"])
    with httpx.Client(base_url=limited_api) as client:
        a = [
            client.get("/api/v1/processes", headers={"X-API-Key": key_a}).status_code
            for _ in range(6)
        ]
        b = client.get("/api/v1/processes", headers={"X-API-Key": key_b})
    assert a[-1] == 429 and b.status_code == 200  # key B has its own allowance


def test_password_guessing_is_slowed(limited_api: str, engine: Engine) -> None:
    username = make_user(engine, "student")
    with httpx.Client(base_url=limited_api) as client:
        tries = [
            client.post("/api/v1/auth/token", data={"username": username, "password": "guess"})
            for _ in range(4)
        ]
    assert [t.status_code for t in tries] == [401, 401, 401, 429]
    assert int(tries[-1].headers["Retry-After"]) > 0


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_two_api_instances_share_one_allowance_through_redis(
    settings: Settings, engine: Engine
) -> None:
    with _apps(settings, 2, rate_limit="6/minute", rate_limit_storage=REDIS) as (first, second):
        owner = make_user(engine, "administrator")
        _, key = make_api_key(engine, owner, ["processes:read"])
        headers = {"X-API-Key": key}
        statuses = []
        for i in range(7):  # alternate between the two replicas
            url = (first, second)[i % 2]
            statuses.append(httpx.get(f"{url}/api/v1/processes", headers=headers).status_code)
        assert statuses == [200] * 6 + [429]
        refused = httpx.get(f"{second}/api/v1/processes", headers=headers)
        assert refused.status_code == 429 and refused.headers["RateLimit-Remaining"] == "0"
