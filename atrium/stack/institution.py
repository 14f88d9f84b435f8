"""The sandbox institution's connections: registered in the inventory, secrets put in Vault."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials, SecretNotFound, origin_of
from atrium.db import session_scope
from atrium.models import Integration


@dataclass(frozen=True)
class SandboxConnection:
    name: str
    system: str
    health_path: str
    description: str


CONNECTIONS = (
    SandboxConnection(
        "sis", "oneroster", "/ims/oneroster/rostering/v1p2/orgs?limit=1", "OneRoster 1.2 SIS"
    ),
    SandboxConnection("canvas", "canvas", "/api/v1/accounts/1", "Canvas LMS"),
    SandboxConnection("moodle", "moodle", "/webservice/rest/server.php", "Moodle LMS"),
    SandboxConnection("library", "koha", "/api/v1/patrons?_per_page=1", "Koha library"),
    SandboxConnection(
        "finance", "finance", "/api/accounts?per_page=1", "Bursar / student accounts"
    ),
    SandboxConnection("proctoring", "proctoring", "/v1/exams?limit=1", "Proctoring platform"),
    SandboxConnection("comms", "comms", "/_control/mail?limit=1", "Email and chat"),
)


async def register_sandbox(
    engine: Engine,
    credentials: Credentials,
    sandbox_url: str,
    options: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    """Create the inventory rows (once) and store each system's demo secret in Vault.

    ``options`` gives per-system connector settings, e.g. the SFTP and SMTP ports."""
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as http:
        systems = set((await http.get("/_control/systems")).json()["systems"])
        registered = []
        for conn in CONNECTIONS:
            if conn.system not in systems and conn.name not in systems:
                continue
            prefix = conn.system if conn.system in systems else conn.name
            secret = (await http.get(f"/_control/credentials/{prefix}")).json()
            with session_scope(engine) as session:
                row = Integration.named(session, conn.name)
                if row is None:
                    row = Integration(
                        name=conn.name,
                        system=conn.system,
                        base_url=f"{sandbox_url}/{prefix}",
                        health_path=conn.health_path,
                        description=f"{conn.description} (sandbox)",
                    )
                extra = dict((options or {}).get(conn.system, {}))
                if conn.system == "finance":  # clients pin the bursar's SFTP host key
                    answer = await http.get("/finance/_control/sftp/host-key")
                    extra["sftp_host_key"] = answer.json()["host_key"]
                row.options = {**row.options, **extra}
                origin = origin_of(row.base_url)
                if secret and row.secret_path is None:
                    # Only the first time: a secret set or rotated since (through the API) stays.
                    meta = await credentials.store(conn.name, secret, origin=origin)
                    row.secret_path = meta.path
                elif row.secret_path and origin == origin_of(sandbox_url):
                    await _bind_sandbox_secret(credentials, conn.name, origin)
                session.add(row)
                session.commit()
            registered.append(conn.name)
        return registered


async def _bind_sandbox_secret(credentials: Credentials, name: str, origin: str) -> None:
    """Bind a secret stored before secrets were bound to an origin (atrium/credentials.py), when
    its connection still points at the sandbox this command started: an origin known from here,
    not read from a row someone may have changed. Elsewhere such secrets are refused until an
    administrator stores them again (README, "Credentials and origins")."""
    with contextlib.suppress(SecretNotFound):
        if await credentials.bound_origin(name) is None:
            await credentials.bind(name, origin)


def register_sandbox_sync(
    engine: Engine,
    credentials: Credentials,
    sandbox_url: str,
    options: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    return asyncio.run(register_sandbox(engine, credentials, sandbox_url, options))
