"""The bursar's nightly holds batch over SFTP: list, download, parse, acknowledge.

The session (a pinned host key, the login read at every connect, typed errors) is
connectors/sftp's; ``login.system`` names the server in errors (``finance-sftp``).

Acknowledging is idempotent: it uploads ``inbox/<file>.ack.json`` (written to a temporary name,
then renamed, so the bursar never reads half an ack) unless it is already there, then moves
``outbox/<file>`` to ``processed/`` unless that already happened.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from connectors.actions import action
from connectors.finance.holds_csv import parse_holds_csv
from connectors.finance.models import Acknowledgement, BatchFile, HoldsBatch
from connectors.sftp.session import SftpLogin, move, open_sftp, put_once

BATCH_NAME = re.compile(r"^holds-\d{8}\.csv$")


class BursarBatchClient:
    def __init__(
        self,
        login: SftpLogin,
        *,
        outbox: str = "outbox",
        inbox: str = "inbox",
        processed: str = "processed",
    ) -> None:
        self.login = login
        self.outbox, self.inbox, self.processed = outbox, inbox, processed

    @action("finance.list_hold_batches", effect="read")
    async def list_batches(self, *, include_acknowledged: bool = False) -> list[BatchFile]:
        """Batch files waiting in the outbox, oldest first."""
        async with open_sftp(self.login) as sftp:
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

    @action("finance.download_hold_batch", effect="read")
    async def download(self, name: str) -> bytes:
        """One batch file's bytes, as the bursar wrote them."""
        async with open_sftp(self.login) as sftp, sftp.open(f"{self.outbox}/{name}", "rb") as f:
            data = await f.read()
            return data if isinstance(data, bytes) else data.encode()

    @action("finance.fetch_hold_batch", effect="read")
    async def fetch(self, name: str) -> HoldsBatch:
        """Download and parse one batch; bad lines are in ``errors``, good ones are usable."""
        return parse_holds_csv(name, await self.download(name))

    @action("finance.acknowledge_hold_batch", effect="write", key="batch.file")
    async def acknowledge(self, batch: HoldsBatch) -> Acknowledgement:
        """Tell the bursar which lines of a batch were taken and which refused, and move the
        file to processed/; a second acknowledgement of the same file writes nothing."""
        ack_path = f"{self.inbox}/{batch.file}.ack.json"
        ack = {
            "file": batch.file,
            "sha256": batch.sha256,
            "accepted_lines": [i.line for i in batch.instructions],
            "rejected": [e.model_dump() for e in batch.errors],
            "acknowledged_at": datetime.now(UTC).isoformat(),
        }
        system = self.login.system
        async with open_sftp(self.login) as sftp:
            report = json.dumps(ack, indent=2).encode()
            written = await put_once(sftp, ack_path, report, system=system)
            source = f"{self.outbox}/{batch.file}"
            if await sftp.exists(source):
                await move(sftp, source, f"{self.processed}/{batch.file}", system=system)
        return Acknowledgement(file=batch.file, ack_path=ack_path, already_acknowledged=not written)
