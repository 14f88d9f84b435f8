"""One SFTP session (asyncssh) to a pinned host, with connection problems as typed errors.

The server's host key must be pinned (OpenSSH format): files that change who is enrolled where
are not fetched from whoever answers on the port. The login (``username`` with ``password`` or
``private_key``, OpenSSH PEM) is read at every connect, so a rotated secret is used at once.

Writes go through ``put_once`` and ``move``: both are harmless to repeat (a retried call after a
lost answer finds its work done) and both tell the action gate (``check_write``) before they
write, like the HTTP requester does for every connector call that is not a read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncssh

from connectors.actions import check_write
from connectors.credentials import CredentialSource
from connectors.errors import AuthError, ConnectorError, NotFound, ServerError


@dataclass(frozen=True)
class SftpLogin:
    host: str
    port: int
    host_key: str
    credentials: CredentialSource
    system: str = "sftp"
    timeout: float = 30.0


@asynccontextmanager
async def open_sftp(login: SftpLogin) -> AsyncIterator[asyncssh.SFTPClient]:
    system = login.system
    secret = await login.credentials()
    options: dict[str, object] = {"username": secret.get("username", "")}
    if secret.get("private_key"):
        options["client_keys"] = [asyncssh.import_private_key(secret["private_key"])]
        options["password"] = None
    else:
        options["password"] = secret.get("password", "")
        options["client_keys"] = None
    try:
        known_hosts: tuple[list[asyncssh.SSHKey], list[asyncssh.SSHKey], list[asyncssh.SSHKey]] = (
            [asyncssh.import_public_key(login.host_key)],
            [],
            [],
        )
    except (ValueError, asyncssh.KeyImportError) as exc:
        raise AuthError(
            f"{system}: the pinned host key is not an OpenSSH key", system=system
        ) from exc
    try:
        conn = await asyncio.wait_for(
            asyncssh.connect(
                login.host,
                login.port,
                known_hosts=known_hosts,
                agent_path=None,
                connect_timeout=login.timeout,
                **options,  # type: ignore[arg-type]
            ),
            login.timeout,
        )
    except asyncssh.PermissionDenied as exc:
        raise AuthError(
            f"{system}: login refused for {options['username']!r}", system=system
        ) from exc
    except asyncssh.HostKeyNotVerifiable as exc:
        raise AuthError(
            f"{system}: host key of {login.host}:{login.port} does not match", system=system
        ) from exc
    except (OSError, TimeoutError, asyncssh.Error) as exc:
        raise ServerError(
            f"{system}: cannot connect to {login.host}:{login.port}: {exc}", system=system
        ) from exc
    try:
        async with conn, conn.start_sftp_client() as sftp:
            yield sftp
    except asyncssh.SFTPNoSuchFile as exc:
        raise NotFound(f"{system}: {exc.reason}", system=system) from exc
    except (asyncssh.SFTPError, asyncssh.Error, OSError) as exc:
        if isinstance(exc, ConnectorError):
            raise
        raise ServerError(f"{system}: {exc}", system=system) from exc


async def put_once(sftp: asyncssh.SFTPClient, path: str, data: bytes, *, system: str) -> bool:
    """Upload ``data`` as ``path`` unless it is already there (True when written). It is written
    to a hidden name beside it first and renamed, so nobody reads half a file."""
    if await sftp.exists(path):
        return False
    check_write(system, f"upload {path}")
    folder, _, name = path.rpartition("/")
    partial = f"{folder}/.{name}.part" if folder else f".{name}.part"
    async with sftp.open(partial, "wb") as handle:
        await handle.write(data)
    await sftp.rename(partial, path)
    return True


async def move(sftp: asyncssh.SFTPClient, source: str, target: str, *, system: str) -> None:
    """Rename ``source`` to ``target``."""
    check_write(system, f"move {source} to {target}")
    await sftp.rename(source, target)
