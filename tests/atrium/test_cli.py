"""``atrium api`` as production can run it: several API processes on one port (``api.workers``),
serving with their eager workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from atrium.settings import Settings
from tests.support.servers import free_port


def _children(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").glob("*/children")
        for child in task.read_text().split()
    ]


def test_api_with_two_processes_serves_with_its_eager_worker(
    settings: Settings, tmp_path: Path
) -> None:
    assert settings.vault.token is not None
    port = free_port()
    env = {
        **os.environ,
        "ATRIUM_STATE_DIR": str(tmp_path),
        "ATRIUM_TEMPORAL__ADDRESS": settings.temporal.address,
        "ATRIUM_VAULT__ADDRESS": settings.vault.address,
        "ATRIUM_VAULT__TOKEN": settings.vault.token.get_secret_value(),
        "ATRIUM_DATABASE__URL": f"sqlite:///{tmp_path / 'api.db'}",
        "ATRIUM_API__PORT": str(port),
        "ATRIUM_API__WORKERS": "2",
        "ATRIUM_LOG_LEVEL": "WARNING",
    }
    subprocess.run(  # the schema first, as `atrium up` does before it starts the API
        [sys.executable, "-m", "atrium.cli", "migrate"], env=env, check=True, capture_output=True
    )
    api = subprocess.Popen(
        [sys.executable, "-m", "atrium.cli", "api"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        ready, deadline = False, time.monotonic() + 60
        while not ready and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            except httpx.HTTPError:
                continue
            ready = answer.status_code == 200
            ready = ready and answer.json()["components"]["eager_worker"] == "running"
        assert ready, "the API did not become ready with its eager worker"
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in _children(api.pid)]
        # uvicorn spawns its processes with multiprocessing (beside a resource tracker).
        workers = [c for c in commands if b"spawn_main" in c]
        assert len(workers) == 2, f"expected 2 API processes under uvicorn, found {commands}"
    finally:
        api.terminate()
        try:
            api.wait(20)
        except subprocess.TimeoutExpired:
            api.kill()
            raise
    assert api.returncode is not None
    assert b"Traceback" not in (api.stderr.read() if api.stderr else b"")
