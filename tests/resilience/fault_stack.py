"""A private embedded stack for the fault suite, so that a restarted Temporal or a sealed OpenBao
never disturbs the session's shared servers: Temporal's dev server on a database file (it keeps
its state across a restart), OpenBao, a SQLite store, and ``atrium worker`` subprocesses."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from temporalio.client import Client

from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.payload_codec import payload_codec
from atrium.settings import (
    DatabaseSettings,
    EgressSettings,
    Settings,
    TemporalSettings,
    VaultSettings,
)
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from bench.sync_stack import WorkerProcess
from sandbox.app import create_app as create_sandbox
from tests.support.servers import free_port, serve
from tests.workflows.sync_env import SyncSandbox


@dataclass
class FaultStack:
    root: Path
    temporal: TemporalDevServer
    vault: OpenBaoServer
    settings: Settings
    engine: Engine
    credentials: Credentials
    client: Client
    workers: list[WorkerProcess] = field(default_factory=list)

    @property
    def queue(self) -> str:
        return self.settings.temporal.task_queue

    def start_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.settings, self.root / f"worker-{len(self.workers) + 1}.log")
        worker.start()
        self.workers.append(worker)
        return worker

    def alive(self) -> list[WorkerProcess]:
        return [w for w in self.workers if w.process and w.process.poll() is None]

    def restart_temporal(self) -> None:
        self.temporal.stop()
        self.temporal.start()

    def seal(self) -> None:
        token = self.vault.token_file.read_text().strip()
        answer = httpx.put(
            f"{self.vault.address}/v1/sys/seal", headers={"X-Vault-Token": token}, timeout=10
        )
        answer.raise_for_status()

    def unseal(self) -> None:
        key = self.vault.key_file.read_text().strip()
        answer = httpx.put(f"{self.vault.address}/v1/sys/unseal", json={"key": key}, timeout=10)
        answer.raise_for_status()
        assert answer.json()["sealed"] is False

    def sealed(self) -> bool:
        status = httpx.get(f"{self.vault.address}/v1/sys/seal-status", timeout=5)
        return bool(status.json()["sealed"])


async def fault_stack(root: Path, database_url: str | None = None) -> FaultStack:
    """``database_url``: Atrium's store (default: a SQLite file in ``root``)."""
    temporal = TemporalDevServer(
        port=free_port(),
        ui_port=free_port(),
        db_file=root / "temporal.db",
        log_file=root / "temporal.log",
    )
    vault = OpenBaoServer(root / "bao", port=free_port())
    temporal.start()
    vault.start()
    settings = Settings(
        state_dir=root,
        temporal=TemporalSettings(
            address=temporal.address,
            ui_port=temporal.ui_port,
            task_queue=f"faults-{uuid.uuid4().hex[:6]}",
            events_task_queue=f"faults-events-{uuid.uuid4().hex[:6]}",
        ),
        vault=VaultSettings(address=vault.address, token=vault.token_file.read_text().strip()),
        database=DatabaseSettings(url=database_url or f"sqlite:///{root / 'atrium.db'}"),
        egress=EgressSettings(allowed_hosts=["127.0.0.1"]),  # the local sandbox
    )
    upgrade(settings.database_url)
    from atrium.temporal import connect

    credentials = Credentials(settings.vault)
    codec = payload_codec(credentials, settings.temporal.payload_key)
    client = await connect(settings.temporal, codec=codec)
    engine = make_engine(settings.database_url)
    return FaultStack(root, temporal, vault, settings, engine, credentials, client)


def close(stack: FaultStack) -> None:
    for worker in stack.workers:
        worker.stop()
    stack.engine.dispose()
    stack.temporal.stop()
    stack.vault.stop()


def full_sandbox(data_dir: Path) -> Iterator[SyncSandbox]:
    """The whole sandbox app (its fault middleware and ``/_control/faults``), fresh."""
    app = create_sandbox(data_dir, seed=7, size="demo")
    with serve(app) as url:
        yield SyncSandbox(url, app.state.systems)
