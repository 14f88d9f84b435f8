"""Campus process fixtures: the sandbox's systems registered as connections (secrets in OpenBao),
the sandbox SMTP server and a bursar SFTP server of our own (its own batch folder, so these tests
and the connector tests never take each other's files)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import Integration
from connectors.credentials import static_credentials
from connectors.moodle import MoodleClient
from connectors.moodle.models import NewCourse
from sandbox.comms.smtp import tls_certificate_path
from sandbox.context import SystemContext
from sandbox.finance.sftp import host_public_key, start_sftp_server
from sandbox.finance.store import sftp_root
from tests.sandbox.control import credentials_of


@dataclass
class Campus:
    """Connection names of the sandbox systems, as the processes take them."""

    sandbox_url: str
    sis: str = "campus-sis"
    lms: str = "campus-canvas"
    library: str = "campus-library"
    locked_library: str = "campus-library-locked"  # wrong secret: every call fails for good
    finance: str = "campus-finance"
    proctoring: str = "campus-proctoring"
    comms: str = "campus-comms"
    sftp_outbox: Path = Path()


async def register_connection(
    engine: Engine,
    credentials: Credentials,
    name: str,
    system: str,
    base_url: str,
    secret: dict[str, str],
) -> None:
    meta = await credentials.store(name, secret, origin=origin_of(base_url))
    with session_scope(engine) as session:
        row = session.exec(select(Integration).where(Integration.name == name)).first()
        row = row or Integration(
            name=name, system=system, base_url=base_url, health_path="/", description="campus tests"
        )
        row.secret_path = meta.path
        session.add(row)
        session.commit()


@pytest.fixture(scope="session")
async def bursar_sftp_dir(
    tmp_path_factory: pytest.TempPathFactory, sandbox_url: str
) -> AsyncIterator[tuple[SystemContext, int]]:
    ctx = SystemContext(name="finance", data_dir=tmp_path_factory.mktemp("bursar"), seed=42)
    ctx.credentials.update(await credentials_of(sandbox_url, "finance"))
    sftp_root(ctx)
    server = await start_sftp_server(ctx, "127.0.0.1", 0)
    yield ctx, server.get_port()
    server.close()
    await server.wait_closed()


@pytest.fixture(scope="session")
async def campus(
    sandbox_url: str,
    engine: Engine,
    credentials: Credentials,
    smtp_ctx: tuple[SystemContext, int],
    bursar_sftp_dir: tuple[SystemContext, int],
) -> Campus:
    campus = Campus(sandbox_url=sandbox_url)
    smtp, smtp_port = smtp_ctx
    sftp, sftp_port = bursar_sftp_dir
    campus.sftp_outbox = sftp_root(sftp) / "outbox"
    comms = {
        **smtp.credentials,
        "smtp_port": str(smtp_port),
        "smtp_ca_pem": tls_certificate_path(smtp).read_text(),
        "smtp_sender": "atrium@example.edu",
    }
    finance = {
        **await credentials_of(sandbox_url, "finance"),
        "sftp_port": str(sftp_port),
        "sftp_host_key": host_public_key(sftp),
    }
    koha = await credentials_of(sandbox_url, "koha")
    for name, system, prefix, secret in (
        (campus.sis, "oneroster", "oneroster", await credentials_of(sandbox_url, "oneroster")),
        (campus.lms, "canvas", "canvas", await credentials_of(sandbox_url, "canvas")),
        (campus.library, "koha", "koha", koha),
        (campus.locked_library, "koha", "koha", {**koha, "client_secret": "revoked"}),
        (campus.finance, "finance", "finance", finance),
        (
            campus.proctoring,
            "proctoring",
            "proctoring",
            await credentials_of(sandbox_url, "proctoring"),
        ),
        (campus.comms, "comms", "comms", comms),
    ):
        await register_connection(
            engine, credentials, name, system, f"{sandbox_url}/{prefix}", secret
        )
    return campus


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The sandbox relay allows AUTH without TLS on purpose; aiosmtpd warns on every connection.
    for item in items:
        if "tests/workflows" in str(item.path):
            item.add_marker(
                pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
            )


@dataclass
class MoodleCourses:
    """A Moodle connection of the sandbox, for the processes that take either LMS, and
    courses of its own (SIS ids as ``idnumber``), all removed afterwards."""

    lms: str
    client: MoodleClient
    courses: dict[str, int]  # SIS course id -> Moodle course id


@pytest.fixture
async def moodle_campus(
    campus: Campus, engine: Engine, credentials: Credentials
) -> AsyncIterator[MoodleCourses]:
    name = unique("campus-moodle-")
    secret = await credentials_of(campus.sandbox_url, "moodle")
    await register_connection(
        engine, credentials, name, "moodle", f"{campus.sandbox_url}/moodle", secret
    )
    client = MoodleClient(f"{campus.sandbox_url}/moodle", static_credentials(secret))
    sis_ids = [unique("MC") for _ in range(2)]
    made = await client.create_courses(
        [NewCourse(fullname=s, shortname=s, idnumber=s, categoryid=1) for s in sis_ids]
    )
    try:
        yield MoodleCourses(name, client, {s: c.id for s, c in zip(sis_ids, made, strict=True)})
    finally:
        await client.delete_courses([c.id for c in made])
        await client.aclose()
        with session_scope(engine) as session:
            for row in session.exec(select(Integration).where(Integration.name == name)):
                session.delete(row)
            session.commit()
        await credentials.delete(name)
