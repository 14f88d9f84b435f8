"""A real ``atrium api`` process drains before it stops: after SIGTERM ``/readyz`` answers 503
"draining" while requests are still served, and the process ends once the grace period is over;
a second SIGTERM stops it at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from atrium.settings import Settings
from bench.sync_stack import worker_env
from tests.support.servers import free_port

DRAIN = 4.0


@pytest.fixture
def api_process(
    settings: Settings, engine: Engine, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **worker_env(settings),
        "ATRIUM_API__PORT": str(port),
        "ATRIUM_API__DRAIN_SECONDS": str(DRAIN),
        "ATRIUM_TEMPORAL__EVENTS_TASK_QUEUE": settings.temporal.events_task_queue,
    }
    with (tmp_path / "api.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "atrium.cli", "api"], env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=3).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError((tmp_path / "api.log").read_text()[-2000:])
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait(10)


def test_sigterm_drains_then_stops(api_process: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = api_process
    process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    time.sleep(0.3)
    ready = httpx.get(f"{url}/readyz", timeout=5)
    assert ready.status_code == 503 and ready.json()["status"] == "draining"
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200  # still serving
    assert process.poll() is None
    process.wait(DRAIN + 15)
    assert time.monotonic() - sent >= DRAIN - 0.2  # not before the grace period


def test_a_second_sigterm_stops_at_once(api_process: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = api_process
    process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert httpx.get(f"{url}/readyz", timeout=5).json()["status"] == "draining"
    process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    process.wait(DRAIN + 15)
    assert time.monotonic() - sent < DRAIN - 1
