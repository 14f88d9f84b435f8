"""Issue 16, threat detection and response, against the real API over HTTP.

Password spraying (failed logins for several usernames from one address) gives one security
event per address and window with its severity, and the configured response: the address's
logins refused for a while (another address still logs in), or the accounts tried disabled. A
burst of bad webhook signatures for one source gives one event, and the source is paused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from api.main import create_app
from atrium.db import session_scope
from atrium.models import SecurityEvent, User
from atrium.settings import Settings
from tests.api.webhook_support import person_event, signed
from tests.support.auth import PASSWORD, bearer, login, make_user
from tests.support.servers import serve

WRONG = "not-the-password"  # noqa: S105
HEX = "0a" * 32


@contextmanager
def api_with(settings: Settings, **security: Any) -> Iterator[str]:
    """The API with its own detection settings; forwarded addresses believed from loopback, so
    each test sprays from an address of its own."""
    own = settings.model_copy(
        update={
            "api": settings.api.model_copy(update={"trusted_proxies": ["127.0.0.0/8"]}),
            "security": settings.security.model_copy(update=security),
        }
    )
    with serve(create_app(own)) as url:
        yield url


def an_address() -> str:
    return f"198.51.{uuid.uuid4().int % 250 + 1}.{uuid.uuid4().int % 250 + 1}"


def try_login(url: str, username: str, address: str, password: str = WRONG) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/auth/token",
        data={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
        timeout=30,
    )


def events_about(url: str, token: str, subject: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{url}/api/v1/security/events",
        params={"subject": subject},
        headers=bearer(token),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


@contextmanager
def forgetting_events(engine: Engine, *subjects: str) -> Iterator[None]:
    try:
        yield
    finally:
        with session_scope(engine) as session:
            session.exec(delete(SecurityEvent).where(col(SecurityEvent.subject).in_(subjects)))  # type: ignore[call-overload]
            session.commit()


def test_spraying_from_one_address_gives_one_event_and_blocks_the_address(
    settings: Settings, engine: Engine
) -> None:
    attacker, colleague = an_address(), an_address()
    admin, student = make_user(engine, "administrator"), make_user(engine, "student")
    with (
        forgetting_events(engine, attacker, colleague),
        api_with(
            settings, spraying_usernames=5, spraying_response="block_address", block_minutes=10
        ) as url,
    ):
        usernames = [f"sprayed-{uuid.uuid4().hex[:8]}" for _ in range(6)]
        statuses = [try_login(url, name, attacker).status_code for name in usernames]
        # The fifth username is the spraying; from then on the address is refused.
        assert statuses == [401] * 5 + [403]
        refused = try_login(url, student, attacker, PASSWORD)
        assert refused.status_code == 403, refused.text
        assert "security event" in refused.json()["error"]
        assert 0 < int(refused.headers["Retry-After"]) <= 600
        # Another address is not concerned: the right password logs in there.
        assert try_login(url, student, colleague, PASSWORD).status_code == 200
        token = login(url, admin)
        events = events_about(url, token, attacker)
        assert len(events) == 1, events
        (event,) = events
        assert event["kind"] == "password_spraying" and event["severity"] == "high"
        assert event["response"] == "block_address" and event["response_until"]
        assert "10 min" in event["response_detail"]
        assert event["details"]["count"] == 5
        assert set(event["details"]["usernames"]) == set(usernames[:5])
        assert events_about(url, token, colleague) == []
        # Reading security events takes security:read: a student is refused.
        answer = httpx.get(
            f"{url}/api/v1/security/events",
            headers=bearer(login(url, make_user(engine, "student"))),
            timeout=30,
        )
        assert answer.status_code == 403


def test_lock_accounts_disables_the_accounts_tried(settings: Settings, engine: Engine) -> None:
    attacker = an_address()
    targets = [make_user(engine, "student") for _ in range(2)]
    admin = make_user(engine, "administrator")
    with (
        forgetting_events(engine, attacker),
        api_with(settings, spraying_usernames=4, spraying_response="lock_accounts") as url,
    ):
        strangers = [f"nobody-{uuid.uuid4().hex[:8]}" for _ in range(3)]
        statuses = [try_login(url, name, attacker).status_code for name in [*targets, *strangers]]
        assert statuses == [401] * 5  # no block: every try is answered, the accounts locked
        (event,) = events_about(url, login(url, admin), attacker)
        assert event["response"] == "lock_accounts"
        assert all(name in event["response_detail"] for name in targets)
        with session_scope(engine) as session:
            rows = session.exec(select(User).where(col(User.username).in_(targets))).all()
            assert [row.disabled for row in rows] == [True, True]
        # Even from elsewhere with the right password: the accounts are disabled.
        assert try_login(url, targets[0], an_address(), PASSWORD).status_code == 401


def make_source(client: httpx.Client) -> tuple[str, str]:
    """A webhook source without rules (a genuine event is answered 200 "unrouted")."""
    name = f"sis-{uuid.uuid4().hex[:8]}"
    created = client.post("/api/v1/webhooks/sources", json={"name": name, "scheme": "atrium"})
    assert created.status_code == 201, created.text
    return name, created.json()["secret"]


def genuine(client: httpx.Client, source: str, secret: str) -> httpx.Response:
    body, headers = signed(secret, person_event())
    return client.post(f"/api/v1/webhooks/{source}", content=body, headers=headers)


def forged(client: httpx.Client, source: str) -> httpx.Response:
    body = json.dumps(person_event()).encode()
    return client.post(
        f"/api/v1/webhooks/{source}",
        content=body,
        headers={"Content-Type": "application/json", "Atrium-Signature": f"t=1700000000,v1={HEX}"},
    )


@contextmanager
def admin_client(url: str, engine: Engine) -> Iterator[httpx.Client]:
    token = login(url, make_user(engine, "administrator"))
    with httpx.Client(base_url=url, headers=bearer(token), timeout=30) as client:
        yield client


def test_a_burst_of_bad_signatures_gives_one_event_and_pauses_the_source(
    settings: Settings, engine: Engine
) -> None:
    with (
        api_with(
            settings, signature_failures=5, signature_response="pause_source", pause_minutes=5
        ) as url,
        admin_client(url, engine) as client,
    ):
        source, secret = make_source(client)
        with forgetting_events(engine, source):
            try:
                assert genuine(client, source, secret).status_code == 200
                assert [forged(client, source).status_code for _ in range(5)] == [401] * 5
                # Paused: even a correctly signed delivery is refused, before any work.
                paused = genuine(client, source, secret)
                assert paused.status_code == 403, paused.text
                assert "paused" in paused.json()["error"]
                assert forged(client, source).status_code == 403
                events = events_about(url, client.headers["Authorization"][7:], source)
                assert len(events) == 1, events
                (event,) = events
                assert event["kind"] == "webhook_signature_burst"
                assert event["severity"] == "medium" and event["details"]["count"] == 5
                assert event["response"] == "pause_source" and event["response_until"]
            finally:
                client.delete(f"/api/v1/webhooks/sources/{source}")


def test_a_burst_with_no_response_configured_is_only_recorded(
    settings: Settings, engine: Engine
) -> None:
    with (
        api_with(settings, signature_failures=3, signature_response="none") as url,
        admin_client(url, engine) as client,
    ):
        source, secret = make_source(client)
        with forgetting_events(engine, source):
            try:
                statuses = [forged(client, source).status_code for _ in range(6)]
                assert statuses == [401] * 6  # never paused
                assert genuine(client, source, secret).status_code == 200
                (event,) = events_about(url, client.headers["Authorization"][7:], source)
                assert event["response"] == "none" and event["response_until"] is None
            finally:
                client.delete(f"/api/v1/webhooks/sources/{source}")
