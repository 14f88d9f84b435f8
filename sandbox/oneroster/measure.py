"""Measure the emulator at a given size: seed time, deep-page time, incremental-filter time.

    python -m sandbox.oneroster.measure --size 1m [--dir /tmp/or-1m]

Not part of the test suite (1m takes tens of seconds); it prints the figures the benchmark
relies on, through the real app over ASGI.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from sandbox.context import SystemContext
from sandbox.oneroster.app import create_app

ROSTER = "/ims/oneroster/rostering/v1p2"


def _timed(client: TestClient, url: str, headers: dict[str, str], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        response.raise_for_status()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="1m")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.dir or Path(tempfile.mkdtemp(prefix="oneroster-"))
    ctx = SystemContext(name="oneroster", data_dir=data_dir, seed=args.seed, size=args.size)
    started = time.perf_counter()
    app = create_app(ctx)
    print(f"create_app (generate + load + index): {time.perf_counter() - started:.1f} s")
    client = TestClient(app)
    auth = (ctx.credentials["client_id"], ctx.credentials["client_secret"])
    token = client.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=auth)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    total = int(
        client.get(f"{ROSTER}/enrollments?limit=1", headers=headers).headers["X-Total-Count"]
    )
    deep = max(0, total - 100_000)
    ms = _timed(client, f"{ROSTER}/enrollments?limit=1000&offset={deep}", headers)
    print(f"enrollments: {total}; limit=1000 at offset {deep}: {ms:.1f} ms")
    before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    client.post("/_control/mutate", json={"collection": "enrollments", "count": 100,
                                          "status": "tobedeleted"})  # fmt: skip
    url = f"{ROSTER}/enrollments?limit=1000&filter=dateLastModified>'{before}'"
    ms = _timed(client, url, headers)
    changed = client.get(url, headers=headers).headers["X-Total-Count"]
    print(f"filter dateLastModified>'{before}' -> {changed} rows: {ms:.1f} ms")
    started = time.perf_counter()
    pulled, offset = 0, 0
    while offset < min(total, 100_000):
        page = client.get(f"{ROSTER}/enrollments?limit=1000&offset={offset}", headers=headers)
        pulled += len(page.json()["enrollments"])
        offset += 1000
    rate = pulled / (time.perf_counter() - started)
    print(f"sequential pull of {pulled} enrollments (parsed): {rate:,.0f} records/s")


if __name__ == "__main__":
    main()
