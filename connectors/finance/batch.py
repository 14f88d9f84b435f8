"""The bursar's nightly holds batch over SFTP (asyncssh): list, download, parse, acknowledge.

Credentials are ``{"username", "password"}`` or ``{"username", "private_key"}`` (OpenSSH PEM),
read at every connect so a rotated secret is used at once. The server's host key must be
pinned (``host_key``, OpenSSH format): a batch that can place holds on students is not fetched
from whoever answers on the port.

Acknowledging is idempotent: it uploads ``inbox/<file>.ack.json`` (written to a temporary name,
then renamed, so the bursar never reads half an ack) unless it is already there, then moves
``outbox/<file>`` to ``processed/`` unless that already happened.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncssh

from connectors.credentials import CredentialSource
from connectors.errors import AuthError, ConnectorError, NotFound, ServerError
from connectors.finance.holds_csv import parse_holds_csv
from connectors.finance.models import Acknowledgement, BatchFile, HoldsBatch

BATCH_NAME = re.compile(r"^holds-\d{8}\.csv$")
SYSTEM = "finance-sftp"


class BursarBatchClient:
    def __init__(
        self,
        host: str,
        port: int,
        credentials: CredentialSource,
        *,
        host_key: str,
        timeout: float = 30.0,
        outbox: str = "outbox",
        inbox: str = "inbox",
        processed: str = "processed",
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._credentials = credentials
        self._known_hosts: tuple[
            list[asyncssh.SSHKey], list[asyncssh.SSHKey], list[asyncssh.SSHKey]
        ] = ([asyncssh.import_public_key(host_key)], [], [])
        self.outbox, self.inbox, self.processed = outbox, inbox, processed

    @asynccontextmanager
    async def _sftp(self) -> AsyncIterator[asyncssh.SFTPClient]:
        secret = await self._credentials()
        options: dict[str, object] = {"username": secret.get("username", "")}
        if secret.get("private_key"):
            options["client_keys"] = [asyncssh.import_private_key(secret["private_key"])]
            options["password"] = None
        else:
            options["password"] = secret.get("password", "")
            options["client_keys"] = None
        try:
            conn = await asyncio.wait_for(
                asyncssh.connect(
                    self.host,
                    self.port,
                    known_hosts=self._known_hosts,
                    agent_path=None,
                    connect_timeout=self.timeout,
                    **options,  # type: ignore[arg-type]
                ),
                self.timeout,
            )
        except asyncssh.PermissionDenied as exc:
            raise AuthError(
                f"{SYSTEM}: login refused for {options['username']!r}", system=SYSTEM
            ) from exc
        except asyncssh.HostKeyNotVerifiable as exc:
            raise AuthError(
                f"{SYSTEM}: host key of {self.host}:{self.port} does not match", system=SYSTEM
            ) from exc
        except (OSError, TimeoutError, asyncssh.Error) as exc:
            raise ServerError(
                f"{SYSTEM}: cannot connect to {self.host}:{self.port}: {exc}", system=SYSTEM
            ) from exc
        try:
            async with conn, conn.start_sftp_client() as sftp:
                yield sftp
        except asyncssh.SFTPNoSuchFile as exc:
            raise NotFound(f"{SYSTEM}: {exc.reason}", system=SYSTEM) from exc
        except (asyncssh.SFTPError, asyncssh.Error, OSError) as exc:
            if isinstance(exc, ConnectorError):
                raise
            raise ServerError(f"{SYSTEM}: {exc}", system=SYSTEM) from exc

    async def list_batches(self, *, include_acknowledged: bool = False) -> list[BatchFile]:
        """Batch files waiting in the outbox, oldest first."""
        async with self._sftp() as sftp:
            acked = set() if include_acknowledged else set(await sftp.listdir(self.inbox))
            files = [
                BatchFile(
                    name=entry.filename,
                    size=entry.attrs.size or 0,
                    modified_at=datetime.fromtimestamp(entry.attrs.mtime or 0, UTC),
                )
                for entry in await sftp.readdir(self.outbox)
                if isinstance(entry.filename, str)
                and BATCH_NAME.match(entry.filename)
                and f"{entry.filename}.ack.json" not in acked
            ]
        return sorted(files, key=lambda f: f.name)

    async def download(self, name: str) -> bytes:
        async with self._sftp() as sftp, sftp.open(f"{self.outbox}/{name}", "rb") as handle:
            data = await handle.read()
            return data if isinstance(data, bytes) else data.encode()

    async def fetch(self, name: str) -> HoldsBatch:
        """Download and parse one batch; bad lines are in ``errors``, good ones are usable."""
        return parse_holds_csv(name, await self.download(name))

    async def acknowledge(self, batch: HoldsBatch) -> Acknowledgement:
        ack_path = f"{self.inbox}/{batch.file}.ack.json"
        ack = {
            "file": batch.file,
            "sha256": batch.sha256,
            "accepted_lines": [i.line for i in batch.instructions],
            "rejected": [e.model_dump() for e in batch.errors],
            "acknowledged_at": datetime.now(UTC).isoformat(),
        }
        async with self._sftp() as sftp:
            already = await sftp.exists(ack_path)
            if not already:
                partial = f"{self.inbox}/.{batch.file}.ack.part"
                async with sftp.open(partial, "wb") as handle:
                    await handle.write(json.dumps(ack, indent=2).encode())
                await sftp.rename(partial, ack_path)
            source = f"{self.outbox}/{batch.file}"
            if await sftp.exists(source):
                await sftp.rename(source, f"{self.processed}/{batch.file}")
        return Acknowledgement(file=batch.file, ack_path=ack_path, already_acknowledged=already)
