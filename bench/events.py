"""Events benchmark: signed webhooks at a steady rate into the embedded stack.

    python -m bench.events --rate 50 --seconds 60
    python -m bench.events --ladder [--seconds 60] [--burst 20000]

Starts its own stack on free ports: Temporal dev server (in memory), OpenBao, the sandbox (in
this process, wrapped so the instant each Canvas user PUT completes is recorded), and the API
and a worker as subprocesses (``atrium api`` / ``atrium worker``), as they run in production.
Each event is a ``person.updated`` routed to ``profile-update``, which PUTs the new email into
the Canvas sandbox. Measured:

- start: webhook received -> run started, the API's own timing (``start_ms`` in its answer);
- e2e: webhook sent -> the sandbox finished the PUT carrying this event's email;
- floor: Temporal alone, an eagerly started empty workflow with one local activity.

The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials, credentials_from_settings, origin_of
from atrium.db import make_engine, session_scope
from atrium.logging import configure_logging
from atrium.migrations import upgrade
from atrium.models import Integration, WebhookRule, WebhookSource
from atrium.payload_codec import payload_codec
from atrium.settings import (
    DatabaseSettings,
    EgressSettings,
    Settings,
    TemporalSettings,
    VaultSettings,
)
from atrium.signatures import sign_headers
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import connect
from bench.events_common import (
    CONNECTIONS,
    PEOPLE,
    SECRET,
    PutRecorder,
    applied_at,
    figures,
    out_of_order,
    pct,
    sample_backlog,
)
from bench.events_floor import Floor, noop
from bench.lean_http import LeanClient, LeanHttpError
from bench.temporal_metrics import latency_buckets, summary
from sandbox.app import create_app as create_sandbox
from tests.support.servers import free_port, serve

START = "StartWorkflowExecution"
CANVAS_BUDGET = {"rate": "200/second", "concurrency": 8}


def cpu_seconds(pid: int, tree: bool = False) -> float:
    """User + system CPU a process (and with ``tree`` its live children, e.g. the API's worker
    processes) has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*/children") if tree else ():
        used += sum(cpu_seconds(int(child), tree) for child in task.read_text().split())
    return used


def child_env(
    settings: Settings, api_port: int, api_processes: int = 1, dispatch: str = "adaptive"
) -> dict[str, str]:
    assert settings.vault.token is not None
    # per-event: the intake never batches (every event starts its own run from its request, as
    # before the intake batched); adaptive: batch runs once starts pile up (atrium/settings.py).
    intake = {"ATRIUM_INTAKE__EAGER_MAX_INFLIGHT": "1000"} if dispatch == "per-event" else {}
    return {
        **intake,
        **os.environ,
        "ATRIUM_STATE_DIR": str(settings.state_dir),
        "ATRIUM_TEMPORAL__ADDRESS": settings.temporal.address,
        "ATRIUM_TEMPORAL__TASK_QUEUE": settings.temporal.task_queue,
        "ATRIUM_VAULT__ADDRESS": settings.vault.address,
        "ATRIUM_VAULT__TOKEN": settings.vault.token.get_secret_value(),
        "ATRIUM_DATABASE__URL": settings.database_url,
        "ATRIUM_API__PORT": str(api_port),
        "ATRIUM_API__WORKERS": str(api_processes),
        "ATRIUM_WORKER__METRICS_PORT": str(free_port()),
        "ATRIUM_WORKER__ATRIUM_METRICS_PORT": str(free_port()),
        "ATRIUM_LOG_LEVEL": "WARNING",
        "ATRIUM_EGRESS__ALLOWED_HOSTS": json.dumps(settings.egress.allowed_hosts),
        # The default outbound budget (20 requests/s per connection) protects a school's Canvas;
        # this one is offered 50/s on purpose, so the benchmark raises the sandbox's budget.
        "ATRIUM_OUTBOUND__PER_INTEGRATION": json.dumps({"canvas": CANVAS_BUDGET}),
    }


def launch(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``atrium <command>`` as a child process, as it runs in production."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "atrium.cli", command],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def configure(settings: Settings, sandbox_url: str) -> None:
    """A Canvas connection to the sandbox and a signed source routing person.updated."""
    credentials = Credentials(settings.vault)
    async with httpx.AsyncClient() as http:
        token = (await http.get(f"{sandbox_url}/_control/credentials/canvas")).json()["token"]
    await credentials.store("canvas", {"token": token}, origin=origin_of(sandbox_url))
    await credentials.store("webhook-sis", {"secret": SECRET})
    engine = make_engine(settings.database_url)
    rows = [
        Integration.model_validate(
            {"name": "canvas", "system": "canvas", "base_url": f"{sandbox_url}/canvas"}
        ),
        WebhookSource.model_validate({"name": "sis", "secret_name": "webhook-sis"}),
        WebhookRule.model_validate(
            {
                "source": "sis",
                "event_type": "person.updated",
                "process": "profile-update",
                "input_mapping": {"person_id": "data.person_id", "fields": {"email": "data.email"}},
            }
        ),
    ]
    with session_scope(engine) as session:
        session.add_all(rows)
        session.commit()
    engine.dispose()


async def floor(client: Client, runs: int = 200) -> tuple[float, float]:
    """Temporal alone: eager start + one local activity, one run after another."""
    queue = f"bench-floor-{uuid.uuid4().hex[:6]}"
    timings = []
    async with Worker(client, task_queue=queue, workflows=[Floor], activities=[noop]):
        for n in range(runs + 20):
            started = time.perf_counter()
            handle = await client.start_workflow(
                Floor.run, n, id=f"floor-{queue}-{n}", task_queue=queue, request_eager_start=True
            )
            await handle.result()
            if n >= 20:  # the first runs warm caches and connections
                timings.append((time.perf_counter() - started) * 1000)
    return pct(timings, 50), pct(timings, 99)


async def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                ready = await http.get(f"{url}/readyz")
                # Ready, and runs it starts are taken by its own worker (eager) from now on.
                if ready.status_code == 200 and ready.json()["components"]["eager_worker"] in (
                    "running",
                    "off",
                ):
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"API at {url} not ready within {seconds:.0f}s")


async def drive(
    api_url: str,
    rate: float,
    seconds: float,
    recorder: PutRecorder,
    tag: str,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Send ``rate`` signed events per second for ``seconds``; collect every timing."""
    sent: dict[str, float] = {}
    statuses: dict[str, int] = {}
    backlog: list[int] = []
    sampler = (
        asyncio.create_task(sample_backlog(database_url, 1.0, backlog)) if database_url else None
    )
    start_ms: list[float] = []
    answer_ms: list[float] = []
    failures: list[str] = []
    # A bounded number of connections (bench/lean_http.py: httpx would make the benchmark
    # measure its own client). Waiting for one still counts: e2e starts at the instant the event
    # was due to be sent (no coordinated omission).
    http = LeanClient(api_url, CONNECTIONS)
    try:

        async def one(n: int, due: float) -> None:
            email = f"{tag}-{n}@bench.example.edu"
            event = {
                "id": f"evt-{tag}-{n}",
                "type": "person.updated",
                "data": {"person_id": PEOPLE[n % len(PEOPLE)], "email": email},
            }
            body = json.dumps(event).encode()
            headers = {"Content-Type": "application/json"}
            headers |= sign_headers(SECRET, int(time.time()), body)
            sent[email] = due
            try:
                status, answer = await asyncio.wait_for(
                    http.post("/api/v1/webhooks/sis", body, headers), 30
                )
            except (OSError, TimeoutError, LeanHttpError, asyncio.IncompleteReadError) as exc:
                failures.append(f"{type(exc).__name__}")
                return
            answer_ms.append((time.perf_counter() - due) * 1000)
            if status != 202:
                failures.append(f"HTTP {status}: {answer[:200]!r}")
                return
            accepted = json.loads(answer)
            statuses[accepted["status"]] = statuses.get(accepted["status"], 0) + 1
            start_ms.append(float(accepted["start_ms"]))

        total = int(rate * seconds)
        tasks = []
        t0 = time.perf_counter()
        for n in range(total):
            due = t0 + n / rate
            if (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n, due)))
        await asyncio.gather(*tasks)
        sent_seconds = time.perf_counter() - t0
    finally:
        await http.aclose()
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and len(applied_at(sent, recorder.done)) < len(sent):  # noqa: ASYNC110 - another thread fills it
        await asyncio.sleep(0.1)
    drained = time.perf_counter() - t0
    if sampler is not None:
        sampler.cancel()
    applied = applied_at(sent, recorder.done)
    # e2e by 10 s window of sending time: shows whether a tail is a steady state or one stall.
    windows: dict[int, list[float]] = {}
    for email, due in sent.items():
        if (done := applied.get(email)) is not None:
            windows.setdefault(int((due - t0) // 10), []).append((done - due) * 1000)
    return figures(
        sent,
        recorder,
        sent_seconds=sent_seconds,
        drained=drained,
        statuses=statuses,
        backlog=backlog,
        answer_ms=answer_ms,
        start_ms=start_ms,
        failures=failures,
        windows=windows,
    )


async def measure(
    rate: float,
    seconds: float,
    api_processes: int,
    dispatch: str = "adaptive",
    burst: int | None = None,
) -> dict[str, Any]:
    """One fresh stack, one run at ``rate`` (or a ``burst`` of that many events as fast as they
    are accepted): every figure, nothing printed but the floor."""
    configure_logging("WARNING", json=False)
    tmp = Path(tempfile.mkdtemp(prefix="atrium-bench-events-"))
    temporal = TemporalDevServer(port=free_port(), ui_port=free_port(), metrics_port=free_port())
    metrics_url = f"http://127.0.0.1:{temporal.metrics_port}/metrics"
    bao = OpenBaoServer(tmp / "state", port=free_port())
    children: list[subprocess.Popen[bytes]] = []
    temporal.start()
    try:
        bao.start()
        settings = Settings(
            state_dir=tmp / "atrium",
            temporal=TemporalSettings(address=temporal.address, task_queue="bench-events"),
            vault=VaultSettings(address=bao.address, token=bao.token_file.read_text().strip()),
            database=DatabaseSettings(url=f"sqlite:///{tmp / 'atrium.db'}"),
            egress=EgressSettings(allowed_hosts=["127.0.0.1"]),  # the local sandbox
        )
        upgrade(settings.database_url)
        recorder = PutRecorder(create_sandbox(tmp / "sandbox", seed=42, size="demo"))
        with serve(recorder) as sandbox_url:
            await configure(settings, sandbox_url)
            api_port = free_port()
            env = child_env(settings, api_port, api_processes, dispatch)
            children += [
                launch(command, env, tmp / "children.log") for command in ("worker", "api")
            ]
            api_url = f"http://127.0.0.1:{api_port}"
            await wait_ready(api_url)
            keys = credentials_from_settings(settings)
            codec = payload_codec(keys, settings.temporal.payload_key)
            client = await connect(settings.temporal, codec=codec)
            floor_p50, floor_p99 = await floor(client)
            print(f"temporal floor (eager start + 1 local activity): p50={floor_p50:.1f} ms "
                  f"p99={floor_p99:.1f} ms")  # fmt: skip
            await drive(api_url, min(rate, 20), 2, recorder, "warmup")
            assert temporal.process is not None
            pids = {"temporal": temporal.process.pid, "bench": os.getpid()}
            pids |= dict(zip(("worker", "api"), (child.pid for child in children), strict=True))
            cpu_before = {name: cpu_seconds(pid, name == "api") for name, pid in pids.items()}
            starts_before = await latency_buckets(metrics_url, START, "default")
            tag = uuid.uuid4().hex[:6]
            if burst:
                from bench.events_burst import flood

                result = await flood(api_url, burst, recorder, tag, settings.database_url)
            else:
                result = await drive(api_url, rate, seconds, recorder, tag, settings.database_url)
            canvas_db = tmp / "sandbox" / "canvas.db"
            result["out_of_order"] = out_of_order(settings.database_url, canvas_db)
            cpu = {n: cpu_seconds(pid, n == "api") - cpu_before[n] for n, pid in pids.items()}
            starts_after = await latency_buckets(metrics_url, START, "default")
            starts = summary(starts_before, starts_after, over_ms=50)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        bao.stop()
        temporal.stop()
    per_event = {name: 1000 * used / max(result["sent"], 1) for name, used in cpu.items()}
    return {
        **result,
        "rate": rate,
        "dispatch": dispatch,
        "api_processes": api_processes,
        "cpu_per_event_ms": per_event,
        "temporal_starts": starts,
        "floor": (floor_p50, floor_p99),
    }


async def run(rate: float, seconds: float, api_processes: int, dispatch: str) -> int:
    result = await measure(rate, seconds, api_processes, dispatch)
    return report(result)


def report(result: dict[str, Any]) -> int:
    """Print one run's figures; the last line machine-readable. Exit code: 0 if none lost."""
    rate, api_processes = result["rate"], result["api_processes"]
    floor_p50, floor_p99 = result["floor"]
    start, answer, e2e = result["start_ms"], result["answer_ms"], result["e2e_ms"]
    for failure in sorted(set(result["failures"]))[:5]:
        print(f"failure: {failure}")
    print(f"webhook received -> run started (API timing): p50={pct(start, 50):.1f} ms "
          f"p99={pct(start, 99):.1f} ms")  # fmt: skip
    print(f"webhook answer (client, from due time):     p50={pct(answer, 50):.1f} ms "
          f"p99={pct(answer, 99):.1f} ms max={max(answer, default=0):.1f} ms")  # fmt: skip
    for window, values in sorted(result["windows"].items()):
        print(f"  sent {window * 10:3d}-{window * 10 + 10:3d} s: e2e p50={pct(values, 50):.1f} ms "
              f"p99={pct(values, 99):.1f} ms")  # fmt: skip
    print(f"webhook -> Canvas sandbox record updated:   p50={pct(e2e, 50):.1f} ms "
          f"p99={pct(e2e, 99):.1f} ms")  # fmt: skip
    per_event = result["cpu_per_event_ms"]
    print(
        "Temporal's own StartWorkflowExecution latency (its frontend's histogram): "
        f"{result['temporal_starts']}"
    )
    print("CPU per event (ms): " + " ".join(f"{k}={v:.1f}" for k, v in per_event.items()))
    print(
        f"intake ({result['dispatch']}): accepted/s={result['accepted_per_s']:.1f} "
        f"answers={result['statuses']} backlog max={result['backlog_max']} "
        f"at end of sending={result['backlog_end_of_send']} coalesced={result['coalesced']} "
        f"duplicated effects={result['duplicated']} out of order={result['out_of_order']} "
        f"all applied after {result['drain_s']:.1f} s"
    )
    print(
        f"events rate={rate:g} api_processes={api_processes} "
        f"sent={result['sent']} lost={result['lost']} "
        f"start_p99_ms={pct(start, 99):.1f} e2e_p50_ms={pct(e2e, 50):.1f} "
        f"e2e_p99_ms={pct(e2e, 99):.1f} floor_p50_ms={floor_p50:.1f} floor_p99_ms={floor_p99:.1f} "
        f"dispatch={result['dispatch']} accepted_per_s={result['accepted_per_s']:.1f} "
        f"backlog_max={result['backlog_max']} duplicated={result['duplicated']}"
    )
    return 0 if result["lost"] == 0 and not result["failures"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send")
    parser.add_argument(
        "--api-processes", type=int, default=1, help="API processes (ATRIUM_API__WORKERS)"
    )
    parser.add_argument(
        "--dispatch",
        choices=("adaptive", "per-event"),
        default="adaptive",
        help="adaptive: batch runs under load; per-event: a run per event always (the baseline)",
    )
    parser.add_argument(
        "--ladder",
        action="store_true",
        help="30, 60, 100, 200, 300/s for --seconds each (default 60), then a burst of --burst",
    )
    parser.add_argument("--burst", type=int, default=20_000, help="events in the ladder's burst")
    args = parser.parse_args()
    if args.ladder:
        from bench.events_ladder import ladder

        if not (0 < args.seconds <= 600 and 0 <= args.burst <= 100_000):
            parser.error("--seconds must be in (0, 600], --burst in [0, 100000]")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        return asyncio.run(ladder(measure, args.seconds, args.burst, args.api_processes))
    if not (0 < args.rate <= 500 and 0 < args.seconds <= 600 and 1 <= args.api_processes <= 8):
        parser.error("--rate must be in (0, 500], --seconds in (0, 600], --api-processes in [1, 8]")
    # A plain `kill` stops the stack too (the finally blocks run), not only Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return asyncio.run(run(args.rate, args.seconds, args.api_processes, args.dispatch))


if __name__ == "__main__":
    raise SystemExit(main())
