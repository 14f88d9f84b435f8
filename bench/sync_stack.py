"""An embedded stack for the sync benchmark (and the killed-worker test): Temporal dev server in
memory, OpenBao, the sandbox in its own process and an Atrium worker as a real subprocess
(``python -m atrium.cli worker``) configured through ``ATRIUM_*`` environment variables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import Integration
from atrium.settings import Settings
from tests.support.servers import free_port


def worker_env(settings: Settings) -> dict[str, str]:
    assert settings.vault.token is not None
    return {
        **os.environ,
        "ATRIUM_STATE_DIR": str(settings.state_dir),
        "ATRIUM_TEMPORAL__ADDRESS": settings.temporal.address,
        "ATRIUM_TEMPORAL__TASK_QUEUE": settings.temporal.task_queue,
        "ATRIUM_VAULT__ADDRESS": settings.vault.address,
        "ATRIUM_VAULT__TOKEN": settings.vault.token.get_secret_value(),
        "ATRIUM_DATABASE__URL": settings.database_url,
        "ATRIUM_WORKER__METRICS_PORT": str(free_port()),
        "ATRIUM_WORKER__ATRIUM_METRICS_PORT": str(free_port()),
        "ATRIUM_LOG_LEVEL": "WARNING",
        # The sandbox is local: the worker may reach what these settings allow, as here
        "ATRIUM_EGRESS__ALLOWED_HOSTS": json.dumps(settings.egress.allowed_hosts),
    }


@dataclass
class WorkerProcess:
    """``python -m atrium.cli worker`` as a child process."""

    settings: Settings
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "atrium.cli", "worker"],
                env=worker_env(self.settings),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as a crashed machine would do."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def peak_rss_mb(self) -> float:
        """The kernel's high-water mark of the worker's resident memory (VmHWM)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


@dataclass
class SandboxProcess:
    data_dir: Path
    size: str
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 600) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.sync_sandbox",
                    str(self.data_dir),
                    self.size,
                    str(self.port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_bench/credentials/canvas", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"sandbox exited; see {self.log}")
            time.sleep(0.5)
        raise RuntimeError("sandbox did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)

    def credentials(self, system: str) -> dict[str, str]:
        return dict(httpx.get(f"{self.url}/_bench/credentials/{system}", timeout=10).json())


async def register(
    engine: Engine,
    credentials: Credentials,
    name: str,
    system: str,
    base_url: str,
    secret: dict[str, str],
) -> None:
    await credentials.store(name, secret, origin=origin_of(base_url))
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name,
                system=system,
                base_url=base_url,
                secret_path=f"integrations/{name}",
                health_path="/",
                description="sync engine",
            )
        )
        session.commit()
