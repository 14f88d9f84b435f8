"""A SIS that sends OneRoster CSV packages to an SFTP drop: the sandbox's SIS drop server over a
private sync sandbox, and a ``oneroster`` connection with ``source=csv`` pointing at it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import delete, select

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import Integration, RosterPackage, RosterPackageRecord
from sandbox.context import SystemContext
from sandbox.finance.sftp import host_public_key, start_sftp_server
from sandbox.sis_drop import enable_sis_drop, sis_drop_root


@dataclass
class SisDrop:
    ctx: SystemContext
    port: int

    @property
    def root(self) -> Path:
        return sis_drop_root(self.ctx)

    def put(self, name: str, data: bytes) -> None:
        (self.root / "drop" / name).write_bytes(data)


@asynccontextmanager
async def sis_drop(ctx: SystemContext) -> AsyncIterator[SisDrop]:
    enable_sis_drop(ctx)
    server = await start_sftp_server(ctx, "127.0.0.1", 0, root=sis_drop_root(ctx))
    try:
        yield SisDrop(ctx, server.get_port())
    finally:
        server.close()
        await server.wait_closed()


async def register_csv_source(
    engine: Engine, credentials: Credentials, drop: SisDrop, base_url: str
) -> str:
    name = f"sis-csv-{uuid.uuid4().hex[:6]}"
    creds = drop.ctx.credentials
    meta = await credentials.store(
        name,
        {"sftp_username": creds["sftp_username"], "sftp_password": creds["sftp_password"]},
        origin=origin_of(base_url),
    )
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name,
                system="oneroster",
                base_url=base_url,
                secret_path=meta.path,
                health_path="/",
                description="SIS CSV drop (tests)",
                options={
                    "source": "csv",
                    "sftp_host": "127.0.0.1",
                    "sftp_port": drop.port,
                    "sftp_host_key": host_public_key(drop.ctx),
                },
            )
        )
        session.commit()
    return name


async def remove_integrations(engine: Engine, credentials: Credentials, names: list[str]) -> None:
    """Remove connections a test registered, their secrets and the packages they received."""
    with session_scope(engine) as session:
        ids = session.exec(
            select(RosterPackage.id).where(RosterPackage.source.in_(names))  # type: ignore[attr-defined]
        ).all()
        session.exec(delete(RosterPackageRecord).where(RosterPackageRecord.package_id.in_(ids)))  # type: ignore[attr-defined]
        session.exec(delete(RosterPackage).where(RosterPackage.source.in_(names)))  # type: ignore[attr-defined]
        session.exec(delete(Integration).where(Integration.name.in_(names)))  # type: ignore[attr-defined]
        session.commit()
    for name in names:
        await credentials.delete(name)


def register_upload_source(engine: Engine, base_url: str) -> str:
    """A SIS connection that receives its packages by upload (no SFTP settings needed)."""
    name = f"sis-upload-{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name,
                system="oneroster",
                base_url=base_url,
                health_path="/",
                description="uploads (tests)",
                options={"source": "csv"},
            )
        )
        session.commit()
    return name
