"""`atrium up`'s sandbox institution: every connection registered, secrets in Vault, all green."""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import Integration
from atrium.settings import Settings
from atrium.stack.institution import CONNECTIONS, register_sandbox
from workflows.health_check import HealthCheckAllInput, IntegrationHealthCheckAll


async def test_every_sandbox_connection_is_registered_and_healthy(
    sandbox_url: str,
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    worker: Worker,
    settings: Settings,
) -> None:
    options = {"finance": {"sftp_port": 2222}}
    names = await register_sandbox(engine, credentials, sandbox_url, options)
    assert sorted(names) == sorted(c.name for c in CONNECTIONS)
    await credentials.rotate("moodle", {"token": "set-through-the-api"})
    again = await register_sandbox(engine, credentials, sandbox_url, options)
    assert again == names  # idempotent
    assert await credentials.read("moodle") == {"token": "set-through-the-api"}  # kept
    # Stored unbound (as before secrets were bound to origins), it is bound to the sandbox's
    # origin, which `atrium up` knows, because the row still points there.
    assert await credentials.bound_origin("moodle") == origin_of(sandbox_url)
    await credentials.delete("moodle")
    with session_scope(engine) as session:
        row = session.exec(select(Integration).where(Integration.name == "moodle")).one()
        row.secret_path = None
        session.add(row)
        session.commit()
    await register_sandbox(engine, credentials, sandbox_url, options)  # the demo secret again
    with session_scope(engine) as session:
        rows = session.exec(select(Integration).where(Integration.name.in_(names))).all()  # type: ignore[attr-defined]
    assert all(r.secret_path for r in rows)
    finance = next(r for r in rows if r.system == "finance")
    assert finance.options["sftp_port"] == 2222
    assert finance.options["sftp_host_key"].startswith("ssh-")
    result = await temporal_client.execute_workflow(
        IntegrationHealthCheckAll.run,
        HealthCheckAllInput(),
        id=f"test-institution-{uuid.uuid4().hex[:6]}",
        task_queue=settings.temporal.task_queue,
    )
    by_name = {r.integration: r for r in result.results}
    unhealthy = {n: by_name[n].detail for n in names if not by_name[n].healthy}
    assert unhealthy == {}
