"""Run real servers for tests: an ASGI app under uvicorn on a free port, in a thread."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

_HANDED_OUT: set[int] = set()

# Under pytest-xdist each worker process takes ports from a range of its own, below the kernel's
# ephemeral range (32768-60999 here), so two workers never get the same port between "found free"
# and "bound", and no outgoing connection's local port falls in a range a test hands out. Only
# even ports: a server that also binds its port + 1 (OpenBao's cluster port) never meets the next
# port handed out. A process a test starts inherits the worker's environment but not its range
# (tests/conftest.py records which process owns it): it falls back to the kernel's choice.
_WORKER_RANGE_START = 20_000
_WORKER_RANGE_SIZE = 1_500
RANGE_OWNER_ENV = "ATRIUM_TEST_PORT_RANGE_PID"
_next_in_range: list[int] = []


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _worker_index() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or os.environ.get(RANGE_OWNER_ENV) != str(os.getpid()):
        return None
    return int(worker.removeprefix("gw"))


def free_port() -> int:
    """A port nothing listens on now, never one this process handed out before: two calls in a
    row could otherwise get the same port back from the kernel before either is bound (seen: a
    dev server given one port for its frontend and its UI)."""
    worker = _worker_index()
    if worker is not None:
        return _free_port_of_worker(worker)
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def _free_port_of_worker(worker: int) -> int:
    start = _WORKER_RANGE_START + worker * _WORKER_RANGE_SIZE
    if start + _WORKER_RANGE_SIZE > 32_768:
        raise RuntimeError(f"pytest-xdist worker gw{worker}: at most 8 workers have port ranges")
    if not _next_in_range:
        _next_in_range.append(start)
    for _lap in range(2):
        for _ in range(_WORKER_RANGE_SIZE // 2):
            port = _next_in_range[0]
            _next_in_range[0] = start + (port + 2 - start) % _WORKER_RANGE_SIZE
            if port not in _HANDED_OUT and _is_free(port) and _is_free(port + 1):
                _HANDED_OUT.add(port)
                return port
        _HANDED_OUT.difference_update(range(start, start + _WORKER_RANGE_SIZE))  # lap: again
    raise RuntimeError(f"no free port left in {start}-{start + _WORKER_RANGE_SIZE - 1}")


@contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 over real HTTP; yields its base URL."""
    port = port or free_port()
    # proxy_headers off, as `atrium api` runs: the app decides whom to believe about forwarding.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
