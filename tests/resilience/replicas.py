"""API replicas and workers on loopback as real processes (``atrium api`` / ``atrium worker``),
and the compose file's gateway (HAProxy, which sends requests only to replicas whose ``/readyz``
answers 200) run by Debian's haproxy."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from atrium.settings import Settings
from bench.sync_stack import worker_env
from tests.support.servers import free_port

ROOT = Path(__file__).parent.parent.parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"  # Debian's, from make system-deps


@dataclass
class ApiReplica:
    settings: Settings
    log: Path
    drain_seconds: float
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **worker_env(self.settings),
            "ATRIUM_TEMPORAL__EVENTS_TASK_QUEUE": self.settings.temporal.events_task_queue,
            "ATRIUM_API__PORT": str(self.port),
            "ATRIUM_API__DRAIN_SECONDS": str(self.drain_seconds),
            "ATRIUM_API__RATE_LIMIT": "100000/minute",
            "ATRIUM_EVENTS__CONFIG_CACHE_SECONDS": "0",
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "atrium.cli", "api"], env=env, stdout=out, stderr=out
            )

    async def ready(self, seconds: float = 120) -> None:
        async with httpx.AsyncClient(timeout=3) as http:
            for _ in range(int(seconds / 0.2)):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.url}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.url} not ready; see {self.log}")

    async def stop(self) -> int:
        """SIGTERM, as an orchestrator stops a container; waits for the exit."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.process.wait, 60)


class ComposeGateway:
    """The compose file's gateway block run by Debian's haproxy in front of the replicas: the
    same /readyz health checks and balancing, with the replicas' loopback addresses put where
    the compose file names its containers, and a statistics listener to count what each served."""

    def __init__(self, replicas: list[ApiReplica], log: Path) -> None:
        self.replicas = replicas
        self.log = log
        self.port = free_port()
        self.stats_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.http = httpx.AsyncClient(timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        compose = yaml.safe_load((ROOT / "temporal-compose.yml").read_text())
        text: str = compose["configs"]["gateway"]["content"]
        # Loopback addresses instead of container names; no container DNS here.
        text = re.sub(r"(?m)^resolvers compose\n(?:  .*\n)*", "", text)
        text = text.replace(" resolvers compose", "")
        text = text.replace("bind :8000", f"bind 127.0.0.1:{self.port}")
        for n, replica in enumerate(self.replicas, start=1):
            name = f"atrium-api-{n}"
            address = f"127.0.0.1:{replica.port}"
            text = text.replace(f"server {name} {name}:8000", f"server {name} {address}")
        assert "atrium-api-" not in text.replace("server atrium-api-", ""), text
        stats = f"listen stats\n  bind 127.0.0.1:{self.stats_port}\n  stats enable\n"
        return text + stats + "  stats uri /stats\n"

    async def __aenter__(self) -> ComposeGateway:
        cfg = self.log.with_suffix(".cfg")
        cfg.write_text(self.config())
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: ASYNC220  # starts at once, never waited on
                [HAPROXY, "-db", "-f", str(cfg)], stdout=out, stderr=out
            )
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                if (await self.http.get(f"{self.url}/readyz", timeout=2)).status_code == 200:
                    return self
            await asyncio.sleep(0.1)
        raise AssertionError(f"haproxy did not come up; see {self.log}")

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            await asyncio.to_thread(self.process.wait, 10)
        await self.http.aclose()

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.post(f"{self.url}{path}", **kwargs)

    async def _servers(self) -> list[dict[str, str]]:
        answer = await self.http.get(f"http://127.0.0.1:{self.stats_port}/stats;csv")
        rows = csv.DictReader(io.StringIO(answer.text.lstrip("# ")))
        return [r for r in rows if r["pxname"] == "atrium_api" and r["svname"] != "BACKEND"]

    async def served(self) -> dict[str, int]:
        """Requests each replica served (haproxy's per-server session total)."""
        return {row["svname"]: int(row["stot"]) for row in await self._servers()}

    async def until_up(self, n: int, seconds: float = 30) -> None:
        """Wait until haproxy's checks count replica ``n`` (from 1) as up, as a rolling update
        waits for the gateway's health check before stopping the next replica."""
        for _ in range(int(seconds / 0.2)):
            status = {r["svname"]: r["status"] for r in await self._servers()}
            if status.get(f"atrium-api-{n}") == "UP":
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"atrium-api-{n} never came up behind the gateway; see {self.log}")
