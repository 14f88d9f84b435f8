"""The SIS's SFTP drop: nightly OneRoster CSV packages of the sandbox's SIS data.

Layout under ``<data_dir>/sis-sftp`` (the SFTP root of the SIS login, chrooted):

- ``drop/oneroster-YYYYMMDD.zip``: a bulk package the SIS writes each night (and one at start
  when today's is missing), made by ``sandbox/oneroster/bulk_csv.py`` from the SIS's records;
- ``processed/`` and ``rejected/``: where the reader files each package with its report.

A package is written under a dot name, then renamed, so a reader never lists half a zip. The SIS
login is ``sftp_username`` / ``sftp_password`` added to the OneRoster system's credentials
(``GET /_control/credentials/oneroster`` shows them); the SFTP server is the bursar's server
class serving this root (``start_sftp_server(ctx, host, port, root=sis_drop_root(ctx))``).
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandbox.context import SystemContext
from sandbox.oneroster.bulk_csv import build_zip
from sandbox.oneroster.runtime import Runtime

FOLDERS = ("drop", "processed", "rejected")
NIGHTLY_HOUR = 2  # UTC


def sis_drop_root(ctx: SystemContext) -> Path:
    root = ctx.data_dir / "sis-sftp"
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    return root


def enable_sis_drop(ctx: SystemContext) -> None:
    """Give the SIS an SFTP login (kept beside its OAuth client, rotated the same way)."""
    digest = hashlib.sha256(f"oneroster-sftp-{ctx.seed}".encode()).hexdigest()
    ctx.credentials.setdefault("sftp_username", "sis-export")
    ctx.credentials.setdefault("sftp_password", digest[:24])
    sis_drop_root(ctx)


def write_package(ctx: SystemContext, name: str, *, since: str | None = None) -> Path:
    """Export the SIS now (bulk, or delta since ``since``) into ``drop/<name>``."""
    drop = sis_drop_root(ctx) / "drop"
    data = build_zip(Runtime(ctx=ctx, prefix="/oneroster"), since)
    partial = drop / f".{name}.part"
    partial.write_bytes(data)
    partial.rename(drop / name)
    return drop / name


def nightly_name(day: datetime) -> str:
    return f"oneroster-{day:%Y%m%d}.zip"


async def nightly_packages(ctx: SystemContext) -> None:
    """Write tonight's package each night at 02:00 UTC (and today's at once if missing), as a
    SIS's scheduled export does. Runs until cancelled."""
    while True:
        now = datetime.now(UTC)
        name = nightly_name(now)
        root = sis_drop_root(ctx)
        if not any((root / folder / name).exists() for folder in FOLDERS):
            await asyncio.to_thread(write_package, ctx, name)
        tomorrow = (now + timedelta(days=1)).replace(
            hour=NIGHTLY_HOUR, minute=0, second=0, microsecond=0
        )
        await asyncio.sleep(max(60.0, (tomorrow - datetime.now(UTC)).total_seconds()))
