"""API replicas and workers on loopback as real processes (``atrium api`` / ``atrium worker``),
and a gateway that sends requests only to replicas whose ``/readyz`` answers 200, as the compose
file's nginx with health checks or an orchestrator's readiness probe does."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from atrium.settings import Settings
from bench.sync_stack import worker_env
from tests.support.servers import free_port


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


class ReadyGateway:
    """Round robin over the replicas that answered /readyz 200 at the last probe, made every
    ``probe_seconds`` (a replica that stops without draining first gets requests until then)."""

    def __init__(self, replicas: list[ApiReplica], probe_seconds: float = 1.0) -> None:
        self.replicas = replicas
        self.probe_seconds = probe_seconds
        self.ready: list[str] = []
        self.served: Counter[str] = Counter()
        self.http = httpx.AsyncClient(timeout=30)
        self._turn = itertools.count()
        self._probe: asyncio.Task[None] | None = None
        self._any_ready = asyncio.Event()

    async def _probing(self) -> None:
        while True:
            ready = []
            for replica in self.replicas:
                with contextlib.suppress(httpx.HTTPError):
                    answer = await self.http.get(f"{replica.url}/readyz", timeout=2)
                    if answer.status_code == 200:
                        ready.append(replica.url)
            self.ready = ready
            if ready:
                self._any_ready.set()
            else:
                self._any_ready.clear()
            await asyncio.sleep(self.probe_seconds)

    async def __aenter__(self) -> ReadyGateway:
        self._probe = asyncio.create_task(self._probing())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._probe:
            self._probe.cancel()
        await self.http.aclose()

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        await self._any_ready.wait()  # none ready: nginx would answer 502; wait instead
        url = self.ready[next(self._turn) % len(self.ready)]
        answer = await self.http.post(f"{url}{path}", **kwargs)
        self.served[url] += 1
        return answer
