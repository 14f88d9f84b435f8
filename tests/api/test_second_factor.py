"""The second factor (TOTP) against the real API, OpenBao and store: enrolment, the login's
second step, replayed and wrong codes, the per-account limit, an administrator's reset, and the
setting that makes a role enrol before anything else. Codes are computed with pyotp."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from api.main import create_app
from atrium.credentials import Credentials, SecretNotFound
from atrium.models import AuditEvent, User
from atrium.models.security_event import SecurityEvent
from atrium.settings import Settings
from tests.support.auth import PASSWORD, bearer, make_user
from tests.support.servers import free_port, serve
from tests.support.totp import code, seed_of, steady_step

ENROL = "/api/v1/auth/second-factor/enrolment"
CONFIRM = f"{ENROL}/confirm"
TOKEN, SECOND = "/api/v1/auth/token", "/api/v1/auth/token/second-factor"


@pytest.fixture
async def accounts(engine: Engine, credentials: Credentials) -> AsyncIterator[list[str]]:
    """Usernames a test creates: their rows, seeds and security events go afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        for state in ("users", "pending"):
            await credentials.delete_at(f"second-factor/{state}/{name}")
    with Session(engine) as session:
        session.exec(delete(SecurityEvent).where(col(SecurityEvent.subject).in_(names)))  # type: ignore[call-overload]
        session.exec(delete(User).where(col(User.username).in_(names)))  # type: ignore[call-overload]
        session.commit()


def _new(engine: Engine, accounts: list[str], role: str = "administrator") -> str:
    accounts.append(make_user(engine, role))
    return accounts[-1]


async def _call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.request(method, url, **kwargs)


def _password(url: str, username: str) -> httpx.Response:
    return httpx.post(
        f"{url}{TOKEN}", data={"username": username, "password": PASSWORD}, timeout=30
    )


def _token(url: str, username: str) -> str:
    """A password login's token (30 s allowed: argon2 on a loaded machine takes seconds)."""
    answer = _password(url, username)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


async def _enrol(url: str, token: str) -> str:
    """Enrol the token's account (its first code of the step before); returns the seed."""
    async with httpx.AsyncClient(base_url=url, headers=bearer(token), timeout=30) as client:
        begin = await client.post(ENROL, json={"password": PASSWORD})
        assert begin.status_code == 200, begin.text
        seed = seed_of(begin.json()["otpauth_uri"])
        steady_step()
        confirmed = await client.post(CONFIRM, json={"code": code(seed, -1)})
        assert confirmed.status_code == 204, confirmed.text
    return seed


def _second_step(url: str, username: str, the_code: str, path: str = SECOND) -> httpx.Response:
    challenged = _password(url, username)
    assert challenged.status_code == 403, challenged.text
    return httpx.post(
        f"{url}{path}",
        json={"challenge": challenged.json()["challenge"], "code": the_code},
        timeout=30,
    )


async def _audited(engine: Engine, *where: Any) -> list[AuditEvent]:
    """Audit entries matching ``where``, once the API's batched writer has written them."""
    for _ in range(100):
        with Session(engine) as session:
            found = list(session.exec(select(AuditEvent).where(*where)).all())
        if found:
            return found
        await asyncio.sleep(0.05)
    return []


def _row(engine: Engine, username: str) -> User:
    with Session(engine) as session:
        return session.exec(select(User).where(User.username == username)).one()


async def test_enrolment_asks_the_password_keeps_the_seed_in_vault_and_needs_a_first_code(
    api_url: str, engine: Engine, credentials: Credentials, accounts: list[str]
) -> None:
    username = _new(engine, accounts)
    token = _token(api_url, username)
    async with httpx.AsyncClient(base_url=api_url, headers=bearer(token), timeout=30) as client:
        wrong = await client.post(ENROL, json={"password": "not-the-password"})
        assert wrong.status_code == 403 and wrong.json()["error"].startswith("password:")
        missing = await client.post(ENROL, json={})
        assert missing.status_code == 422 and "password" in missing.json()["error"]
        begin = await client.post(ENROL, json={"password": PASSWORD})
        assert begin.status_code == 200, begin.text
        assert begin.headers["cache-control"] == "no-store"
        uri = begin.json()["otpauth_uri"]
        assert uri.startswith("otpauth://totp/Atrium:") and username in uri
        assert begin.json()["qr_svg"].lstrip().startswith("<svg")
        seed = seed_of(uri)
        # In Vault, waiting for its first code; nowhere in the store.
        pending = await credentials.read_at(f"second-factor/pending/{username}")
        assert pending == {"seed": seed}
        row = _row(engine, username)
        assert seed not in repr(row.model_dump()) and row.second_factor_at is None
        # Not a factor yet: the password alone still logs in.
        assert _password(api_url, username).status_code == 200

        bad = await client.post(CONFIRM, json={"code": "000000"})
        assert bad.status_code == 400 and bad.json()["error"].startswith("code:")
        malformed = await client.post(CONFIRM, json={"code": "12ab56"})
        assert malformed.status_code == 422 and "code" in malformed.json()["error"]
        steady_step()
        assert (await client.post(CONFIRM, json={"code": code(seed, -1)})).status_code == 204
        # The sessions opened with the password alone end.
        assert (await client.get("/api/v1/auth/me")).status_code == 401
    with pytest.raises(SecretNotFound):
        await credentials.read_at(f"second-factor/pending/{username}")
    assert await credentials.read_at(f"second-factor/users/{username}") == {"seed": seed}
    assert _row(engine, username).second_factor_at is not None
    listed = await _call(
        "GET",
        f"{api_url}/api/v1/users/{username}",
        headers=bearer(_token(api_url, _new(engine, accounts))),
    )
    assert listed.json()["second_factor_at"] is not None and seed not in listed.text


async def test_login_answers_a_challenge_then_the_code_opens_it_once(
    api_url: str, engine: Engine, accounts: list[str]
) -> None:
    username = _new(engine, accounts)
    seed = await _enrol(api_url, _token(api_url, username))
    challenged = _password(api_url, username)
    assert challenged.status_code == 403 and challenged.json()["second_factor"] == "totp"
    assert "/auth/token/second-factor" in challenged.json()["error"]
    challenge = challenged.json()["challenge"]
    # The challenge is no access token.
    refused = await _call("GET", f"{api_url}/api/v1/auth/me", headers=bearer(challenge))
    assert refused.status_code == 401

    steady_step()
    now = code(seed, 0)
    opened = await _call("POST", f"{api_url}{SECOND}", json={"challenge": challenge, "code": now})
    assert opened.status_code == 200, opened.text
    me = await _call(
        "GET", f"{api_url}/api/v1/auth/me", headers=bearer(opened.json()["access_token"])
    )
    assert me.status_code == 200 and me.json()["subject"] == username
    assert me.json()["must_enrol"] is False

    replayed = _second_step(api_url, username, now)
    assert replayed.status_code == 401 and "used already" in replayed.json()["error"]
    # The console's equivalent sets the session cookies.
    steady_step()
    session = _second_step(api_url, username, code(seed, 1), "/api/v1/auth/session/second-factor")
    assert session.status_code == 200, session.text
    assert "atrium_session" in session.cookies and session.json()["csrf_token"]
    forged = await _call(
        "POST", f"{api_url}{SECOND}", json={"challenge": "x.y.z", "code": "123456"}
    )
    assert forged.status_code == 401 and forged.json()["error"].startswith("challenge:")


async def test_a_wrong_code_is_refused_and_recorded_as_a_security_event(
    api_url: str, engine: Engine, accounts: list[str]
) -> None:
    username = _new(engine, accounts)
    seed = await _enrol(api_url, _token(api_url, username))
    wrong = next(c for c in ("111111", "222222") if c not in {code(seed, s) for s in (-1, 0, 1)})
    refused = _second_step(api_url, username, wrong)
    assert refused.status_code == 401 and refused.json()["error"].startswith("code:")
    with Session(engine) as session:
        [event] = session.exec(select(SecurityEvent).where(SecurityEvent.subject == username)).all()
    assert event.kind == "second_factor_failure" and event.severity == "high"
    assert event.response == "none" and event.details["address"] == "127.0.0.1"
    audited = await _audited(
        engine, AuditEvent.actor == username, AuditEvent.action == f"POST {SECOND}"
    )
    assert [a.status for a in audited] == [401]  # the attempt, named after the account


async def test_codes_are_limited_per_account(
    api_url: str, engine: Engine, accounts: list[str]
) -> None:
    username = _new(engine, accounts)
    seed = await _enrol(api_url, _token(api_url, username))
    wrong = next(c for c in ("333333", "444444") if c not in {code(seed, s) for s in (-1, 0, 1)})
    statuses = [_second_step(api_url, username, wrong).status_code for _ in range(5)]
    assert statuses == [401] * 5  # the default: 5 codes a minute per account
    steady_step()
    limited = _second_step(api_url, username, code(seed, 0))  # even the right one, now
    assert limited.status_code == 429 and "retry-after" in limited.headers
    with Session(engine) as session:
        events = session.exec(select(SecurityEvent).where(SecurityEvent.subject == username)).all()
    assert len(events) == 1  # one event per account and window, however many codes


async def test_an_administrator_resets_a_lost_factor(
    api: httpx.AsyncClient, api_url: str, engine: Engine, credentials: Credentials,
    accounts: list[str],
) -> None:  # fmt: skip
    username = _new(engine, accounts, "secretary")
    await _enrol(api_url, _token(api_url, username))
    assert _password(api_url, username).status_code == 403
    clerk = _token(api_url, _new(engine, accounts, "secretary"))
    path = f"/api/v1/users/{username}/second-factor"
    denied = await _call("DELETE", f"{api_url}{path}", headers=bearer(clerk))
    assert denied.status_code == 403
    assert (await api.delete("/api/v1/users/nobody-at-all/second-factor")).status_code == 404
    reset = await api.delete(path)
    assert reset.status_code == 204, reset.text
    assert _password(api_url, username).status_code == 200  # the password alone again
    with pytest.raises(SecretNotFound):
        await credentials.read_at(f"second-factor/users/{username}")
    row = _row(engine, username)
    assert row.second_factor_at is None and row.second_factor_step is None
    [entry] = await _audited(engine, AuditEvent.path == path, AuditEvent.status == 204)
    assert entry.action == "DELETE /api/v1/users/{username}/second-factor"
    assert entry.outcome == "success" and entry.actor.startswith("administrator-")


@pytest.fixture(scope="module")
def required_url(settings: Settings) -> Iterator[str]:
    """An API whose administrators must log in with a second factor."""
    changes: dict[str, Any] = {
        "port": free_port(),
        "require_second_factor_for": ["administrator"],
        "eager_worker": False,
    }
    api = settings.api.model_copy(update=changes)
    with serve(create_app(settings.model_copy(update={"api": api})), port=api.port) as url:
        yield url


async def test_a_required_role_without_a_factor_may_only_enrol(
    required_url: str, engine: Engine, accounts: list[str]
) -> None:
    username = _new(engine, accounts)
    answer = _password(required_url, username)
    assert answer.status_code == 200 and answer.json()["must_enrol"] is True
    token = answer.json()["access_token"]
    async with httpx.AsyncClient(
        base_url=required_url, headers=bearer(token), timeout=30
    ) as client:
        refused = await client.get("/api/v1/users")
        assert refused.status_code == 403 and refused.json()["error"].startswith("second factor:")
        me = await client.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json()["must_enrol"] is True
        assert me.json()["permissions"] == ["profile:read"]
    seed = await _enrol(required_url, token)
    steady_step()
    opened = _second_step(required_url, username, code(seed, 0))
    assert opened.status_code == 200 and opened.json()["must_enrol"] is False
    users = await _call(
        "GET", f"{required_url}/api/v1/users", headers=bearer(opened.json()["access_token"])
    )
    assert users.status_code == 200
    # Other roles are not concerned.
    clerk = _password(required_url, _new(engine, accounts, "secretary"))
    assert clerk.status_code == 200 and clerk.json()["must_enrol"] is False


def test_the_setting_reads_a_comma_list_and_refuses_unknown_roles() -> None:
    from pydantic import ValidationError

    from atrium.settings import ApiSettings

    parsed = ApiSettings.model_validate({"require_second_factor_for": "administrator, auditor"})
    assert parsed.require_second_factor_for == ["administrator", "auditor"]
    with pytest.raises(ValidationError, match="require_second_factor_for"):
        ApiSettings.model_validate({"require_second_factor_for": f"admin-{uuid.uuid4().hex[:4]}"})
