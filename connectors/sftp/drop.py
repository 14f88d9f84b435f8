"""A drop folder on SFTP: a sender puts files in ``drop/``; the reader lists and downloads them,
then files each one under ``processed/`` or ``rejected/`` with a report beside it.

Filing is idempotent, so a retried call after a lost answer is harmless: the report is written to
a temporary name and renamed (nobody reads half a report) unless it is already there, then the
file is moved unless that already happened. Downloads are bounded: a file larger than
``max_bytes`` is refused before a byte of it is read.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from connectors.actions import action
from connectors.errors import InvalidRequest, NotFound
from connectors.sftp.session import SftpLogin, move, open_sftp, put_once

Outcome = Literal["processed", "rejected"]
OUTCOMES = get_args(Outcome)


@dataclass(frozen=True)
class DropFile:
    name: str
    size: int
    modified_at: datetime


def _plain(name: str, system: str) -> str:
    if not name or "/" in name or name.startswith("."):
        raise InvalidRequest(f"{system}: {name!r} is not a plain file name", system=system)
    return name


class DropClient:
    """The SIS's SFTP drop (a ``oneroster`` connection whose options say ``source=csv``)."""

    def __init__(
        self,
        login: SftpLogin,
        *,
        pattern: str = "*.zip",
        drop: str = "drop",
        max_bytes: int = 512 * 1024 * 1024,
    ) -> None:
        self.login, self.pattern, self.drop, self.max_bytes = login, pattern, drop, max_bytes

    @action("oneroster.list_drop", effect="read")
    async def list(self) -> list[DropFile]:
        """Files waiting in the drop folder, oldest name first (nightly names sort by date)."""
        async with open_sftp(self.login) as sftp:
            entries = await sftp.readdir(self.drop)
        files = [
            DropFile(
                name=e.filename,
                size=e.attrs.size or 0,
                modified_at=datetime.fromtimestamp(e.attrs.mtime or 0, UTC),
            )
            for e in entries
            if isinstance(e.filename, str)
            and not e.filename.startswith(".")
            and fnmatch.fnmatch(e.filename, self.pattern)
        ]
        return sorted(files, key=lambda f: f.name)

    @action("oneroster.download_from_drop", effect="read")
    async def download(self, name: str) -> bytes:
        """One file of the drop folder; refused when it is larger than the client's bound."""
        path = f"{self.drop}/{_plain(name, self.login.system)}"
        async with open_sftp(self.login) as sftp:
            size = (await sftp.stat(path)).size or 0
            if size > self.max_bytes:
                raise InvalidRequest(
                    f"{self.login.system}: {name} has {size} bytes, more than {self.max_bytes}",
                    system=self.login.system,
                )
            async with sftp.open(path, "rb") as handle:
                data = await handle.read()
        return data if isinstance(data, bytes) else data.encode()

    @action("oneroster.file_drop", effect="write", idempotent=True)
    async def file(self, name: str, outcome: Outcome, report: bytes, *, again_as: str) -> str:
        """File a package out of the drop as processed or rejected, its report beside it.

        Moves ``drop/<name>`` to ``<outcome>/<name>`` with ``<name>.report.json`` beside it and
        return the report's path. When ``<outcome>/<name>`` is already there (the sender used the
        name again), the file goes to ``<outcome>/<name>.<again_as>`` instead: pass a label
        stable across retries (e.g. the run id). Safe to repeat."""
        system = self.login.system
        if outcome not in OUTCOMES:
            raise InvalidRequest(f"outcome must be one of {OUTCOMES}", system=system)
        name = _plain(name, system)
        source, target = f"{self.drop}/{name}", f"{outcome}/{name}"
        again = f"{target}.{_plain(again_as, system)}"
        async with open_sftp(self.login) as sftp:
            waiting = await sftp.exists(source)
            if await sftp.exists(f"{again}.report.json") or (waiting and await sftp.exists(target)):
                target = again
            elif not waiting and not await sftp.exists(target):
                raise NotFound(f"{system}: {name} is not in the drop", system=system)
            report_path = f"{target}.report.json"
            await put_once(sftp, report_path, report, system=system)
            if waiting:
                await move(sftp, source, target, system=system)
        return report_path
