"""The security assessment against the session's real store and OpenBao: each test creates one bad
situation, asserts the finding and its fix, and removes what it created."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, delete, select

from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.models import ApiKey, Integration, Subscription, User, WebhookDelivery, WebhookSource
from atrium.security_check import Context, Finding, assess
from atrium.security_check import deployment as deployment_check
from atrium.settings import ApiSettings, EventsSettings, SecuritySettings, Settings, VaultSettings
from tests.support.auth import login, make_api_key, make_user


def _in(days: int) -> datetime:
    """That many days from now, and a minute: whole days have passed by then."""
    return datetime.now(UTC) + timedelta(days=days, minutes=1)


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _about(findings: list[Finding], subject_part: str) -> list[Finding]:
    return [f for f in findings if subject_part in f.subject]


def _of(findings: list[Finding], username: str, kind: str) -> list[Finding]:
    return [f for f in findings if f.subject == f"user {username!r}" and f.kind == kind]


@pytest.fixture
def rows(engine: Engine) -> Iterator[list[SQLModel]]:
    """Rows a test adds to the store; deleted afterwards, whatever happened."""
    added: list[SQLModel] = []
    yield added
    with Session(engine) as session:
        for row in reversed(added):
            found = session.get(type(row), row.id)  # type: ignore[attr-defined]
            if found is not None:
                session.delete(found)
        session.commit()


def _add(engine: Engine, rows: list[SQLModel], model: type[SQLModel], **fields: Any) -> Any:
    row = model.model_validate(fields)
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
    rows.append(row)
    return row


def _drop_users(engine: Engine, *names: str) -> None:
    with Session(engine) as session:
        session.exec(delete(ApiKey).where(col(ApiKey.owner).in_(names)))  # type: ignore[call-overload]
        session.exec(delete(User).where(col(User.username).in_(names)))  # type: ignore[call-overload]
        session.commit()


async def test_plain_http_integration_to_another_host(
    settings: Settings, engine: Engine, credentials: Credentials, rows: list[SQLModel]
) -> None:
    remote, local, tls = _name("sis-http"), _name("sis-local"), _name("sis-tls")
    for name, url in (
        (remote, "http://sis.school.example"),
        (local, "http://127.0.0.1:9"),
        (tls, "https://sis.school.example"),
    ):
        _add(engine, rows, Integration, name=name, system="generic", base_url=url)
    findings = await assess(Context(settings, engine, credentials))
    [found] = _about(findings, remote)
    assert found.severity == "high" and found.kind == "integration.plain_http"
    assert "http://sis.school.example" in found.detail
    assert found.fix.startswith("change the base URL to https://")
    assert f"/api/v1/integrations/{remote}" in found.fix
    assert not _about(findings, local) and not _about(findings, tls)


async def test_connection_secret_older_than_the_policy(
    settings: Settings, engine: Engine, credentials: Credentials, rows: list[SQLModel]
) -> None:
    name, gone = _name("lms"), _name("lms-gone")
    meta = await credentials.store(name, {"token": "not-shown"})
    try:
        for each, path in ((name, meta.path), (gone, "missing")):
            _add(engine, rows, Integration, name=each, system="generic",
                 base_url="https://lms.example", secret_path=path)  # fmt: skip
        today = await assess(Context(settings, engine, credentials))
        assert not _about(today, repr(name))
        [missing] = _about(today, repr(gone))
        assert missing.kind == "secret.missing" and f"/integrations/{gone}/secret" in missing.fix

        later = await assess(Context(settings, engine, credentials, now=_in(181)))
        [old] = _about(later, repr(name))
        assert old.severity == "medium" and old.kind == "secret.not_rotated"
        assert "version 1 is 181 days old" in old.detail
        assert "ATRIUM_SECURITY__SECRET_MAX_AGE_DAYS" in old.detail
        assert f"PUT /api/v1/integrations/{name}/secret" in old.fix
        assert "not-shown" not in old.model_dump_json()

        stricter = settings.model_copy(
            update={"security": SecuritySettings(secret_max_age_days=200)}
        )
        assert not _about(
            await assess(Context(stricter, engine, credentials, now=_in(181))),
            repr(name),
        )
    finally:
        await credentials.delete(name)


async def test_api_keys_without_expiry_or_unused(
    settings: Settings, engine: Engine, credentials: Credentials
) -> None:
    owner = make_user(engine, "process_designer")
    try:
        forever, _ = make_api_key(engine, owner, ["runs:read"])
        dated, _ = make_api_key(engine, owner, ["runs:read"], expires_at=_in(365))
        expired, _ = make_api_key(
            engine, owner, ["runs:read"], expires_at=datetime.now(UTC) - timedelta(1)
        )
        today = await assess(Context(settings, engine, credentials))
        [never] = _about(today, f"API key {forever} ")
        assert never.kind == "api_key.no_expiry" and never.severity == "medium"
        assert f"DELETE /api/v1/api-keys/{forever}" in never.fix
        assert not _about(today, f"API key {dated} ") and not _about(today, f"API key {expired} ")

        later = await assess(Context(settings, engine, credentials, now=_in(91)))
        [idle] = _about(later, f"API key {dated} ")
        assert idle.kind == "api_key.unused" and "never used for 91 days" in idle.detail
        assert f"revoke it if no client needs it: DELETE /api/v1/api-keys/{dated}" == idle.fix
        assert {f.kind for f in _about(later, f"API key {forever} ")} == {
            "api_key.no_expiry",
            "api_key.unused",
        }
    finally:
        _drop_users(engine, owner)


async def test_administrators(
    settings: Settings, engine: Engine, credentials: Credentials, api_url: str
) -> None:
    idle, active = make_user(engine, "administrator"), make_user(engine, "administrator")
    gone = make_user(engine, "administrator", disabled=True)
    enrolled = make_user(engine, "administrator")
    with Session(engine) as session:
        row = session.exec(select(User).where(User.username == enrolled)).one()
        row.second_factor_at = datetime.now(UTC)
        session.add(row)
        session.commit()
    try:
        login(api_url, active)  # the audit log now holds its login
        key, _ = make_api_key(engine, gone, ["runs:read"])
        one = settings.model_copy(update={"security": SecuritySettings(max_administrators=1)})
        findings = await assess(Context(one, engine, credentials))
        [never] = _of(findings, idle, "administrators.never_logged_in")
        assert never.severity == "low"
        assert (
            never.fix
            == f"disable it if no one uses it: PATCH /api/v1/users/{idle} with disabled=true"
        )
        assert {f.kind for f in _about(findings, repr(active))} == {
            "administrators.no_second_factor"
        }
        [holding] = _about(findings, f"user {gone!r}")
        assert holding.kind == "users.disabled_with_keys" and holding.severity == "medium"
        assert "1 unrevoked API key" in holding.detail
        assert holding.fix == f"revoke them: DELETE /api/v1/api-keys/{key}"
        [many] = [f for f in findings if f.kind == "administrators.too_many"]
        assert "policy: at most 1" in many.detail and "narrowest role" in many.fix

        roomy = settings.model_copy(update={"security": SecuritySettings(max_administrators=100)})
        assert not [
            f for f in await assess(Context(roomy, engine, credentials))
            if f.kind == "administrators.too_many"
        ]  # fmt: skip
    finally:
        _drop_users(engine, idle, active, gone, enrolled)


async def test_administrators_without_a_second_factor(
    settings: Settings, engine: Engine, credentials: Credentials
) -> None:
    bare, enrolled = make_user(engine, "administrator"), make_user(engine, "administrator")
    clerk = make_user(engine, "secretary")
    with Session(engine) as session:
        row = session.exec(select(User).where(User.username == enrolled)).one()
        row.second_factor_at = datetime.now(UTC)
        session.add(row)
        session.commit()
    try:
        [finding] = _of(
            await assess(Context(settings, engine, credentials)),
            bare,
            "administrators.no_second_factor",
        )
        assert finding.severity == "medium" and "password alone opens it" in finding.detail
        assert "ATRIUM_API__REQUIRE_SECOND_FACTOR_FOR=administrator" in finding.fix
        assert "/api/v1/auth/second-factor/enrolment" in finding.fix
        required = settings.model_copy(
            update={
                "api": settings.api.model_copy(
                    update={"require_second_factor_for": ["administrator"]}
                )
            }
        )
        later = await assess(Context(required, engine, credentials))
        [finding] = _of(later, bare, "administrators.no_second_factor")
        assert finding.severity == "low" and "its next login may only enrol one" in finding.detail
        assert not _of(later, enrolled, "administrators.no_second_factor")
        assert not _about(later, repr(clerk))  # not an administrator
    finally:
        _drop_users(engine, bare, enrolled, clerk)


async def test_subscribers_on_private_addresses(
    settings: Settings, engine: Engine, credentials: Credentials, rows: list[SQLModel]
) -> None:
    answers = {
        "inside.school.example": ["192.168.1.10"],
        "events.vendor.example": ["93.184.216.34"],
    }

    async def resolve(host: str, port: int) -> list[str]:  # the DNS of a school's network
        if host not in answers:
            raise OSError(f"{host}: unknown")
        return answers[host]

    urls = [
        "https://10.1.2.3/hook",
        "https://inside.school.example/hook",
        "https://events.vendor.example/hook",
        "http://127.0.0.1:9/hook",  # listed in the session's subscriber_allowed_hosts
        "https://nowhere.school.example/hook",
    ]
    subs = [
        _add(engine, rows, Subscription, url=u, event_types=["*"], secret_name=_name("sub"))
        for u in urls
    ]
    findings = await assess(Context(settings, engine, credentials, resolve=resolve))
    by_id = {s.id: _about(findings, f"subscription {s.id} ") for s in subs}
    [literal] = by_id[subs[0].id]
    assert literal.kind == "subscriber.private_address" and literal.severity == "medium"
    assert "10.1.2.3 is a private address" in literal.detail
    assert f"PATCH /api/v1/subscriptions/{subs[0].id}" in literal.fix
    [named] = by_id[subs[1].id]
    assert "resolves to 192.168.1.10" in named.detail and named.severity == "medium"
    assert by_id[subs[2].id] == []
    [allowed] = by_id[subs[3].id]
    assert (
        allowed.severity == "info" and "ATRIUM_EVENTS__SUBSCRIBER_ALLOWED_HOSTS" in allowed.detail
    )
    [unknown] = by_id[subs[4].id]
    assert unknown.kind == "subscriber.unresolvable"


async def test_stale_webhook_source(
    settings: Settings, engine: Engine, credentials: Credentials, rows: list[SQLModel]
) -> None:
    quiet, busy = _name("quiet"), _name("busy")
    for name in (quiet, busy):
        _add(engine, rows, WebhookSource, name=name, secret_name=f"webhooks/sources/{name}")
    _add(engine, rows, WebhookDelivery,
         source=busy, outcome="started", status_code=202, received_at=_in(20))  # fmt: skip
    assert not _about(await assess(Context(settings, engine, credentials)), repr(quiet))
    later = await assess(Context(settings, engine, credentials, now=_in(31)))
    [stale] = _about(later, repr(quiet))
    assert stale.kind == "webhook_source.stale" and stale.severity == "low"
    assert "no delivery since it was created 31 days ago" in stale.detail
    assert f"PATCH /api/v1/webhooks/sources/{quiet} with enabled=false" in stale.fix
    assert not _about(later, repr(busy))
    much_later = await assess(Context(settings, engine, credentials, now=_in(51)))
    [silent] = _about(much_later, repr(busy))
    assert "no delivery for 31 days" in silent.detail


async def test_production_settings(
    engine: Engine, credentials: Credentials, settings: Settings
) -> None:
    risky = Settings(
        env="production",
        vault=VaultSettings(address="http://vault.school.example:8200", token="x", verify=False),
        api=ApiSettings(
            workers=4, trusted_proxies=["0.0.0.0/0"], public_url="http://atrium.school.example"
        ),
        events=EventsSettings(subscriber_allow_private=True, subscriber_require_https=False),
    )
    found = {f.kind: f for f in await deployment_check.check(Context(risky, engine, credentials))}
    assert found["settings.vault_plain_http"].severity == "high"
    assert found["settings.vault_tls_unverified"].subject == "ATRIUM_VAULT__VERIFY"
    assert "ATRIUM_VAULT__AUTH=approle" in found["settings.vault_token_auth"].fix
    limits = found["settings.rate_limits_per_process"]
    assert "4 API processes" in limits.detail and "redis://" in limits.fix
    assert found["settings.proxies_trust_everyone"].severity == "high"
    assert found["settings.api_plain_http"].subject == "ATRIUM_API__PUBLIC_URL"
    assert "settings.subscribers_private" in found and "settings.subscribers_plain_http" in found
    assert "settings.temporal_plain" not in found  # Temporal on 127.0.0.1 by default
    # The session's own settings: local, loopback Vault, one API process.
    assert await deployment_check.check(Context(settings, engine, credentials)) == []


def _cli(settings: Settings, database: str, *args: str) -> subprocess.CompletedProcess[str]:
    assert settings.vault.token is not None
    env = {
        **os.environ,
        "ATRIUM_DATABASE__URL": database,
        "ATRIUM_VAULT__ADDRESS": settings.vault.address,
        "ATRIUM_VAULT__TOKEN": settings.vault.token.get_secret_value(),
    }
    return subprocess.run(
        [sys.executable, "-m", "atrium.cli", "security", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_cli_prints_one_line_per_finding_and_fails_on_high(
    settings: Settings, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(database)
    clean = _cli(settings, database, "check")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.splitlines() == []  # no accounts, no integrations: nothing to say
    assert "0 findings (0 high, 0 medium, 0 low, 0 info)" in clean.stderr

    fresh = make_engine(database)
    with Session(fresh) as session:
        site = {"name": "sis", "system": "oneroster", "base_url": "http://sis.example"}
        session.add(Integration.model_validate(site))
        session.commit()
    fresh.dispose()
    risky = _cli(settings, database, "check")
    assert risky.returncode == 1, risky.stderr
    assert risky.stdout.splitlines()[0].startswith(
        "HIGH integration.plain_http integration 'sis': base URL http://sis.example is plain http"
    )
    assert "Fix: change the base URL to https://" in risky.stdout
    assert _cli(settings, database, "nonsense").returncode == 2
