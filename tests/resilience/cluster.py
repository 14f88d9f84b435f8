"""Atrium deployed over several hosts (tests/resilience/network.py): ``atrium api`` and ``atrium
worker`` processes configured only through ATRIUM_* variables, as temporal-compose.yml runs
them, against one Temporal, one OpenBao and one PostgreSQL database made for the test and dropped
after."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy import create_engine, text
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError

from tests.resilience.network import Host

REPO = Path(__file__).resolve().parents[2]
# The machine's PostgreSQL, as the Makefile and .ci/run name it.
POSTGRES_URL = os.environ.get(
    "ATRIUM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
API_PORT = 8000


def postgres_port() -> int:
    return urlsplit(POSTGRES_URL).port or 5432


@contextmanager
def database() -> Iterator[str]:
    """A database of the test's own on the machine's PostgreSQL; its URL (on 127.0.0.1)."""
    name = f"atrium_hosts_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        "postgresql+psycopg://" + POSTGRES_URL.removeprefix("postgresql://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Deployment:
    """What every host is told (the bridge address stands for the servers' host)."""

    gateway: str
    temporal_port: int
    vault_port: int
    vault_token: str
    database_url: str  # on 127.0.0.1: rewritten to the gateway for the hosts
    task_queue: str
    events_task_queue: str
    state: Path

    def env(self, host: Host, **extra: str) -> dict[str, str]:
        db = self.database_url.replace("@127.0.0.1:", f"@{self.gateway}:")
        state = self.state / host.name
        state.mkdir(parents=True, exist_ok=True)
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO),
            "ATRIUM_STATE_DIR": str(state),
            "ATRIUM_LOG_LEVEL": "WARNING",
            "ATRIUM_TEMPORAL__ADDRESS": f"{self.gateway}:{self.temporal_port}",
            "ATRIUM_TEMPORAL__TASK_QUEUE": self.task_queue,
            "ATRIUM_TEMPORAL__EVENTS_TASK_QUEUE": self.events_task_queue,
            "ATRIUM_VAULT__ADDRESS": f"http://{self.gateway}:{self.vault_port}",
            "ATRIUM_VAULT__TOKEN": self.vault_token,
            "ATRIUM_DATABASE__URL": db,
            "ATRIUM_API__HOST": host.address,
            "ATRIUM_API__PORT": str(API_PORT),
            "ATRIUM_API__RATE_LIMIT": "100000/minute",
            "ATRIUM_API__LOGIN_RATE_LIMIT": "100000/minute",
            # The school's systems (the sandbox) sit behind the test network's gateway address:
            # allowed by name, as an operator allows an on-premises SIS.
            "ATRIUM_EGRESS__ALLOWED_HOSTS": json.dumps([self.gateway]),
            **extra,
        }

    def start(self, host: Host, command: str, **extra: str) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "atrium.cli", command]
        return host.start(argv, self.env(host, **extra), self.state / f"{host.name}.log")


def api_url(host: Host) -> str:
    return f"http://{host.address}:{API_PORT}"


async def wait_ready(url: str, seconds: float = 120) -> None:
    """Until /readyz answers 200 (generous: five processes import Atrium at once on 2 cores)."""
    deadline = time.monotonic() + seconds
    last = "no answer"
    async with httpx.AsyncClient(timeout=3) as http:
        while time.monotonic() < deadline:
            try:
                answer = await http.get(f"{url}/readyz")
                if answer.status_code == 200:
                    return
                last = f"{answer.status_code} {answer.text[:300]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            await asyncio.sleep(0.3)
    raise AssertionError(f"{url} not ready in {seconds} s: {last}")


async def activity_pollers(client: Client, queue: str) -> set[str]:
    found = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        ),
        retry=True,
        timeout=timedelta(seconds=10),
    )
    return {p.identity for p in found.pollers}


async def wait_pollers(
    client: Client, queue: str, identities: set[str], seconds: float = 120
) -> None:
    deadline = time.monotonic() + seconds
    seen: set[str] | str = set()
    while time.monotonic() < deadline:
        try:  # on a loaded machine a call can be cancelled while the workers start: ask again
            seen = await activity_pollers(client, queue)
        except RPCError as exc:
            seen = f"{exc.status.name}: {exc}"
        if isinstance(seen, set) and identities <= seen:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"workers {identities} not polling {queue} in {seconds} s (last: {seen})")


def identity(process: subprocess.Popen[bytes]) -> str:
    """Temporal's default worker identity, pid@hostname (namespaces share the hostname)."""
    return f"{process.pid}@{os.uname().nodename}"
