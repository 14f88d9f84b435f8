"""Alert latency: a sandbox system stops, how long until the alert is in the chat channel; it
comes back, how long until the all-clear. Repeated over ``--outages`` outages,
starting at random points of the evaluator's tick.

Starts its own stack on free ports: Temporal dev server (in memory), OpenBao, the sandbox
institution and a chat webhook listener (both in this process, so their clocks are this
process's clock), and a worker (``worker.build_worker``, in this process too). One rule
(``health_down`` on a Koha connection, chat by Slack webhook) in its own rule set; each outage
sets the sandbox Koha to answer every request with a 5xx (``/_control/faults/koha``), waits for
the FIRING message, clears the fault and waits for the RESOLVED one.

    python -m bench.alerts [--outages 20]

Ends with one JSON line: p50 and max of condition -> chat delivered, and of recovery -> resolved.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from atrium.credentials import Credentials
from atrium.db import make_engine, session_scope
from atrium.migrations import upgrade
from atrium.models import AlertRule, Integration
from atrium.payload_codec import payload_codec
from atrium.settings import (
    DatabaseSettings,
    EventsSettings,
    Settings,
    TemporalSettings,
    VaultSettings,
)
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import connect, ensure_search_attributes
from sandbox.app import create_app as create_sandbox
from tests.support.servers import free_port, serve
from worker import build_worker
from workflows.alert_evaluators import ensure_evaluator

RULE_SET = "bench"


def chat_listener(arrivals: list[tuple[float, str]]) -> FastAPI:
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> PlainTextResponse:
        arrivals.append((time.time(), str((await request.json()).get("text", ""))))
        return PlainTextResponse("ok")

    return app


async def register(
    engine: Any, credentials: Credentials, name: str, system: str, url: str, secret: dict[str, str]
) -> None:
    meta = await credentials.store(name, secret)
    with session_scope(engine) as session:
        session.add(Integration(name=name, system=system, base_url=url, health_path="/",
                                description="alert bench", secret_path=meta.path))  # fmt: skip
        session.commit()


async def wait_for(arrivals: list[tuple[float, str]], needle: str, count: int) -> float:
    """The arrival time of the ``count``-th message containing ``needle``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [t for t, text in arrivals if needle in text]
        if len(found) >= count:
            return found[count - 1]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no {needle} message #{count} within 60 s")


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "max": round(max(values), 2)}


async def run(outages: int) -> str:
    work = Path(tempfile.mkdtemp(prefix="atrium-bench-alerts-"))
    temporal = TemporalDevServer(port=free_port(), ui_port=free_port())
    bao = OpenBaoServer(work / "bao", port=free_port())
    temporal.start()
    bao.start()
    arrivals: list[tuple[float, str]] = []
    try:
        with (
            serve(create_sandbox(work / "sandbox", seed=42, size="demo")) as sandbox_url,
            serve(chat_listener(arrivals)) as chat_url,
        ):
            settings = Settings(
                state_dir=work / "atrium",
                temporal=TemporalSettings(address=temporal.address, task_queue="bench-alerts"),
                vault=VaultSettings(address=bao.address, token=bao.token_file.read_text().strip()),
                database=DatabaseSettings(url=f"sqlite:///{work / 'atrium.db'}"),
                events=EventsSettings(subscriber_allowed_hosts=["127.0.0.1"]),
            )
            upgrade(settings.database_url)
            engine = make_engine(settings.database_url)
            credentials = Credentials(settings.vault)
            async with httpx.AsyncClient() as http:
                koha = (await http.get(f"{sandbox_url}/_control/credentials/koha")).json()
            await register(engine, credentials, "library", "koha", f"{sandbox_url}/koha", koha)
            chat = {"slack_webhook_url": f"{chat_url}/hook"}
            await register(engine, credentials, "desk", "comms", f"{sandbox_url}/comms", chat)
            with session_scope(engine) as session:
                session.add(AlertRule(name="library-down", rule_set=RULE_SET, kind="health_down",
                                      target="library", comms_integration="desk", chat="slack",
                                      publish_event=False))  # fmt: skip
                session.commit()
            client = await connect(
                settings.temporal, codec=payload_codec(credentials, settings.temporal.payload_key)
            )
            await ensure_search_attributes(client)
            worker = build_worker(client, "bench-alerts", engine, credentials, settings.events)
            fired, cleared, pause = [], [], random.Random(42)
            async with worker, httpx.AsyncClient(base_url=sandbox_url) as sandbox:
                await ensure_evaluator(client, "bench-alerts", RULE_SET)
                await asyncio.sleep(5)  # up and checked: the baseline
                for n in range(1, outages + 1):
                    stopped = time.time()
                    await sandbox.put("/_control/faults/koha", json={"error_rate": 1.0})
                    fired.append(await wait_for(arrivals, "FIRING]", n) - stopped)
                    back = time.time()
                    await sandbox.delete("/_control/faults/koha")
                    cleared.append(await wait_for(arrivals, "RESOLVED]", n) - back)
                    print(f"outage {n}: alert {fired[-1]:.2f} s, all-clear {cleared[-1]:.2f} s",
                          flush=True)  # fmt: skip
                    # Outages start at any point of the evaluator's 3 s tick, not in step with it.
                    await asyncio.sleep(pause.uniform(1.0, 4.0))
                await client.get_workflow_handle(f"alerts-{RULE_SET}").terminate("bench over")
            engine.dispose()
            return json.dumps(
                {
                    "bench": "alerts",
                    "outages": outages,
                    "condition_to_chat_s": summary(fired),
                    "recovery_to_resolved_s": summary(cleared),
                    "messages": len(arrivals),
                }
            )
    finally:
        bao.stop()
        temporal.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outages", type=int, default=20)
    print(asyncio.run(run(parser.parse_args().outages)))


if __name__ == "__main__":
    main()
