"""The designed-process interpreter against the hand-written process it stands for: the shipped
student-onboarding template (atrium/designer/templates) and StudentOnboarding
(workflows/onboarding.py), same steps, same sandbox, one fresh student per run.

    python -m bench.designer --runs 20 [--warmup 3] [--concurrency 1]

Starts its own stack on free ports: Temporal dev server (in memory) and OpenBao as processes,
the sandbox institution as a process (`atrium sandbox`: HTTP systems and its SMTP server), and
the Atrium worker in this process (``worker.build_worker``, the production registry, payloads
sealed by the codec as in production). The template is published as version 1 for the
sandbox's connections. After ``--warmup`` runs of each, ``--runs`` runs of the hand-written
process, then as many of the designed one, ``--concurrency`` at a time. Per variant: runs per
second (runs / wall time of the phase), p50 and p99 of one run (start -> result, in the
client), CPU per run of this process (worker and client), of Temporal and of the sandbox
(/proc/<pid>/stat over the phase), activities per run (from one run's history), and the
ratios designed / hand-written. The last line is one JSON object.

The hand-written process sends its welcome email through the notify activity, which keeps the
school's email rate (60 a minute per comms connection); the designed one sends through the
catalog's ``comms.send_email``, which does not. So that the limit does not throttle the
measure, hand-written runs take turns over copies of the comms connection (same server, same
secret), 50 runs each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from atrium.credentials import Credentials, origin_of
from atrium.db import make_engine, session_scope
from atrium.designer.definition import ProcessDefinition, content_hash
from atrium.designer.runs import DesignedRunInput
from atrium.designer.templates import template
from atrium.egress import configure as configure_egress
from atrium.logging import configure_logging
from atrium.migrations import upgrade
from atrium.models import Integration
from atrium.models.process_definition import ProcessVersion
from atrium.payload_codec import payload_codec
from atrium.settings import (
    DatabaseSettings,
    EgressSettings,
    Settings,
    TemporalSettings,
    VaultSettings,
)
from atrium.stack.institution import register_sandbox
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import connect, ensure_search_attributes
from tests.support.servers import free_port
from worker import build_worker
from workflows.designed_process import PROCESS, DesignedProcess
from workflows.onboarding import AdmittedStudent, OnboardingInput, StudentOnboarding

QUEUE = "bench-designer"
COURSES = ["C003", "C004"]
CONNECTIONS = {"lms": "canvas", "library": "library", "finance": "finance", "comms": "comms"}
EMAILS_PER_CONNECTION = 50  # under the notify activity's 60 a minute


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` (and its waited-for children) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def admission(student_id: str, comms: str) -> OnboardingInput:
    login = f"{student_id.lower()}@students.example.edu"
    return OnboardingInput(
        student=AdmittedStudent(
            student_id=student_id, given_name="Noor", family_name="Haddad", email=login, login=login
        ),
        courses=COURSES,
        school="Springfield High",
        expiry=date(2027, 5, 28),
        lms="canvas",
        library="library",
        finance="finance",
        comms=comms,
    )


class Sandbox:
    """`atrium sandbox` as a child process, on free ports."""

    def __init__(self, state: Path) -> None:
        self.port, self.smtp_port, self.sftp_port = free_port(), free_port(), free_port()
        env = {
            **os.environ,
            "ATRIUM_STATE_DIR": str(state),
            "ATRIUM_SANDBOX__PORT": str(self.port),
            "ATRIUM_SANDBOX__SMTP_PORT": str(self.smtp_port),
            "ATRIUM_SANDBOX__SFTP_PORT": str(self.sftp_port),
            "ATRIUM_SANDBOX__SIS_SFTP_PORT": str(free_port()),
            "ATRIUM_LOG_LEVEL": "WARNING",
        }
        self.log = (state / "sandbox.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "atrium.cli", "sandbox"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox exited; see {self.log.name}")
            try:
                if httpx.get(f"{self.url}/_control/systems", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the sandbox did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.log.close()


async def copy_comms(engine: Any, credentials: Credentials, sandbox: Sandbox, count: int) -> None:
    """``comms-1`` .. ``comms-<count-1>``: the comms connection again, same server and secret."""
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        secret = (await http.get("/_control/credentials/comms")).json()
    with session_scope(engine) as session:
        comms = session.exec(select(Integration).where(Integration.name == "comms")).one()
        for k in range(1, count):
            meta = await credentials.store(f"comms-{k}", secret, origin=origin_of(comms.base_url))
            session.add(
                Integration(
                    name=f"comms-{k}",
                    system="comms",
                    base_url=comms.base_url,
                    health_path=comms.health_path,
                    options=dict(comms.options),
                    secret_path=meta.path,
                    description="bench copy of comms",
                )
            )
        session.commit()


def publish_template(engine: Any) -> tuple[str, int, str]:
    definition = ProcessDefinition.model_validate(
        template("student-onboarding").render(CONNECTIONS)
    )
    with session_scope(engine) as session:
        session.add(
            ProcessVersion(
                name="student-onboarding",
                version=1,
                definition=definition.model_dump(mode="json"),
                content_hash=content_hash(definition),
                status="published",
                created_by="bench",
                approved_by="bench",
            )
        )
        session.commit()
    return "student-onboarding", 1, content_hash(definition)


async def phase(
    run_one: Callable[[int], Awaitable[str]], first: int, count: int, concurrency: int
) -> tuple[list[float], float, list[str]]:
    """``count`` runs, ``concurrency`` at a time: each run's seconds, the wall time, run ids."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    ids: list[str] = []

    async def one(n: int) -> None:
        async with gate:
            began = time.perf_counter()
            ids.append(await run_one(n))
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(one(first + n) for n in range(count)))
    return latencies, time.perf_counter() - began, ids


async def activities_in(client: Any, workflow_id: str) -> int:
    handle = client.get_workflow_handle(workflow_id)
    scheduled = [
        e
        async for e in handle.fetch_history_events()
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    return len(scheduled)


async def run(runs: int, warmup: int, concurrency: int) -> dict[str, Any]:
    configure_logging("WARNING", json=True)  # as production logs: not one line per request
    work = Path(tempfile.mkdtemp(prefix="atrium-bench-designer-"))
    temporal = TemporalDevServer(port=free_port(), ui_port=free_port())
    bao = OpenBaoServer(work / "bao", port=free_port())
    temporal.start()
    bao.start()
    sandbox = Sandbox(work)
    try:
        sandbox.wait()
        settings = Settings(
            state_dir=work / "atrium",
            temporal=TemporalSettings(address=temporal.address, task_queue=QUEUE),
            vault=VaultSettings(address=bao.address, token=bao.token_file.read_text().strip()),
            database=DatabaseSettings(url=f"sqlite:///{work / 'atrium.db'}"),
            egress=EgressSettings(allowed_hosts=[f"127.0.0.1:{sandbox.port}"]),
        )
        configure_egress(settings.egress)
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        credentials = Credentials(settings.vault)
        options = {
            "finance": {"sftp_host": "127.0.0.1", "sftp_port": sandbox.sftp_port},
            "comms": {
                "smtp_host": "127.0.0.1",
                "smtp_port": sandbox.smtp_port,
                "smtp_sender": "atrium@sandbox.school.example",
                # the sandbox SMTP server's self-signed certificate, made when it started
                "smtp_ca_pem": (work / "sandbox" / "comms-smtp.crt").read_text(),
            },
        }
        await register_sandbox(engine, credentials, sandbox.url, options)
        copies = -(-(runs + warmup) // EMAILS_PER_CONNECTION)
        await copy_comms(engine, credentials, sandbox, copies)
        pin = publish_template(engine)
        client = await connect(
            settings.temporal, codec=payload_codec(credentials, settings.temporal.payload_key)
        )
        await ensure_search_attributes(client)
        tag = uuid.uuid4().hex[:6]

        async def hand_written(n: int) -> str:
            turn = n // EMAILS_PER_CONNECTION
            comms = f"comms-{turn}" if turn else "comms"
            input = admission(f"H{tag}{n:05d}", comms)
            report = await client.execute_workflow(
                StudentOnboarding.run, input, id=f"onboarding-{input.student.student_id}",
                task_queue=QUEUE,
            )  # fmt: skip
            if report.status != "completed" or report.steps[-1].status != "done":
                raise RuntimeError(f"hand-written run {n}: {report}")
            return f"onboarding-{input.student.student_id}"

        async def designed(n: int) -> str:
            given = admission(f"D{tag}{n:05d}", "comms").model_dump(mode="json")
            arg = DesignedRunInput(
                name=pin[0], version=pin[1], content_hash=pin[2], started_by="bench",
                run_key=uuid.uuid4().hex[:16],
                input={k: given[k] for k in ("student", "courses", "school", "expiry")},
            )  # fmt: skip
            result = await client.execute_workflow(
                DesignedProcess.run, arg, id=PROCESS.workflow_id(arg), task_queue=QUEUE
            )
            if result.output.get("welcome") != "sent":
                raise RuntimeError(f"designed run {n}: {result.output}")
            return PROCESS.workflow_id(arg)

        figures: dict[str, Any] = {}
        worker = build_worker(client, QUEUE, engine, credentials, settings.events)
        async with worker:
            for name, run_one in (("hand_written", hand_written), ("designed", designed)):
                await phase(run_one, 0, warmup, concurrency)
                pids = {"temporal": temporal.process.pid, "sandbox": sandbox.process.pid}  # type: ignore[union-attr]
                cpu_before = {k: cpu_seconds(p) for k, p in pids.items()}
                self_before = time.process_time()
                latencies, wall, ids = await phase(run_one, warmup, runs, concurrency)
                cpu = {k: (cpu_seconds(p) - cpu_before[k]) for k, p in pids.items()}
                cpu["worker"] = time.process_time() - self_before
                figures[name] = {
                    "runs_per_s": round(runs / wall, 2),
                    "p50_ms": round(1000 * statistics.median(latencies), 1),
                    "p99_ms": round(1000 * pct(latencies, 99), 1),
                    "cpu_ms_per_run": {k: round(1000 * v / runs, 1) for k, v in cpu.items()},
                    "activities_per_run": await activities_in(client, ids[-1]),
                }
                print(f"{name}: {json.dumps(figures[name])}", flush=True)
        engine.dispose()
        hand, des = figures["hand_written"], figures["designed"]
        total = {k: sum(v["cpu_ms_per_run"].values()) for k, v in figures.items()}
        return {
            "bench": "designer",
            "runs": runs,
            "concurrency": concurrency,
            **figures,
            "ratio": {  # designed / hand-written
                "runs_per_s": round(des["runs_per_s"] / hand["runs_per_s"], 3),
                "p50": round(des["p50_ms"] / hand["p50_ms"], 3),
                "p99": round(des["p99_ms"] / hand["p99_ms"], 3),
                "worker_cpu_per_run": round(
                    des["cpu_ms_per_run"]["worker"] / hand["cpu_ms_per_run"]["worker"], 3
                ),
                "total_cpu_per_run": round(total["designed"] / total["hand_written"], 3),
            },
        }
    finally:
        sandbox.stop()
        bao.stop()
        temporal.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="measured runs of each variant")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured runs of each first")
    parser.add_argument("--concurrency", type=int, default=1, help="runs in flight at once")
    args = parser.parse_args()
    if not (1 <= args.runs <= 10_000 and 0 <= args.warmup <= 100 and 1 <= args.concurrency <= 50):
        parser.error("--runs in [1, 10000], --warmup in [0, 100], --concurrency in [1, 50]")
    print(json.dumps(asyncio.run(run(args.runs, args.warmup, args.concurrency))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
