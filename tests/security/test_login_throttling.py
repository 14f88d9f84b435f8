"""Finding 8: login throttling and forwarded headers.

The attacks: spraying one password over many usernames from one address (the per address+username
limit never trips), and sending a new ``X-Forwarded-For`` with every try, which used to make each
try look like a new client and wrote the forged address into the audit log. Now failed logins are
also limited per address, and forwarded headers count only from ATRIUM_API__TRUSTED_PROXIES.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.main import create_app
from atrium.models.audit import AuditEvent
from atrium.settings import Settings
from tests.support.auth import PASSWORD, make_user
from tests.support.servers import serve


@contextmanager
def api_with(settings: Settings, **api: Any) -> Iterator[str]:
    own = settings.model_copy(update={"api": settings.api.model_copy(update=api)})
    with serve(create_app(own)) as url:
        yield url


WRONG = "not-the-password"  # noqa: S105


def try_login(url: str, username: str, password: str = WRONG, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/auth/token",
        data={"username": username, "password": password},
        headers=headers,
        timeout=30,
    )


def audited_addresses(engine: Engine, usernames: list[str]) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.actor.in_(usernames))  # type: ignore[attr-defined]
        ).all()
    return [row.client_ip for row in rows]


def forged() -> str:
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}"


def test_spraying_many_usernames_from_one_address_gets_429(
    settings: Settings, engine: Engine
) -> None:
    with api_with(settings, login_address_rate_limit="5/minute") as url:
        usernames = [f"sprayed-{uuid.uuid4().hex[:8]}" for _ in range(7)]
        answers = [try_login(url, name) for name in usernames]
        assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
        assert "from this address" in answers[-1].json()["error"]
        assert int(answers[-1].headers["Retry-After"]) > 0
        # The address is held back for every account, even with the right password.
        assert try_login(url, make_user(engine, "student"), PASSWORD).status_code == 429


def test_successful_logins_do_not_count_against_the_address(
    settings: Settings, engine: Engine
) -> None:
    """A school behind one NAT address: many people logging in correctly are not throttled."""
    with api_with(settings, login_address_rate_limit="2/minute") as url:
        users = [make_user(engine, "student") for _ in range(4)]
        assert [try_login(url, user, PASSWORD).status_code for user in users] == [200] * 4


def test_a_rotating_x_forwarded_for_from_an_untrusted_peer_changes_nothing(
    settings: Settings, engine: Engine
) -> None:
    with api_with(settings, login_address_rate_limit="5/minute") as url:
        usernames = [f"rotated-{uuid.uuid4().hex[:8]}" for _ in range(7)]
        answers = [
            try_login(url, name, **{"X-Forwarded-For": forged(), "X-Forwarded-Proto": "https"})
            for name in usernames
        ]
        assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
        # No Strict-Transport-Security: the forged X-Forwarded-Proto did not make it https.
        assert "Strict-Transport-Security" not in answers[0].headers
    assert audited_addresses(engine, usernames) == ["127.0.0.1"] * 7


def test_a_configured_proxy_is_believed(settings: Settings, engine: Engine) -> None:
    """Behind a trusted proxy each forwarded client has its own allowance, and the audit log
    names the forwarded address."""
    with api_with(
        settings, login_address_rate_limit="2/minute", trusted_proxies=["127.0.0.0/8"]
    ) as url:
        usernames = [f"proxied-{uuid.uuid4().hex[:8]}" for _ in range(4)]
        clients = ["198.51.100.7", "198.51.100.7", "198.51.100.7", "198.51.100.8"]
        answers = [
            try_login(url, name, **{"X-Forwarded-For": client})
            for name, client in zip(usernames, clients, strict=True)
        ]
        assert [a.status_code for a in answers] == [401, 401, 429, 401]
        https = try_login(url, usernames[0], **{"X-Forwarded-Proto": "https"})
        assert https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert sorted(audited_addresses(engine, usernames[:4])) == sorted(clients + ["127.0.0.1"])
