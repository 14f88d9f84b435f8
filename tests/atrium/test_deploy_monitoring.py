"""The Grafana dashboard and Prometheus alert rules (atrium/deploy/) ask only for metrics that
exist: every metric name in their queries is among those a real API's /metrics and a real worker's
two endpoints (the Temporal SDK exporter, Atrium's own) serve, and the compose file provisions both
where Grafana and Prometheus look for them."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from temporalio import activity, workflow
from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from atrium.settings import Settings
from atrium.temporal import connect
from tests.support.metrics import declared, scrape, worker_endpoint
from tests.support.servers import free_port

ROOT = Path(__file__).parent.parent.parent
DEPLOY = ROOT / "atrium" / "deploy"
METRIC = re.compile(r"\b(?:atrium|temporal)_[a-z0-9_]+\b|\bup\b(?=\{)")


@activity.defn(name="monitoring-probe")
async def probe(fail: bool) -> str:
    if fail:
        raise RuntimeError("the probe fails on purpose")
    return "ok"


@workflow.defn(name="monitoring-probe", sandboxed=False)
class Probe:
    @workflow.run
    async def run(self, fail: bool) -> str:
        return await workflow.execute_activity(
            probe,
            fail,
            start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )


@pytest.fixture(scope="module")
def queries() -> dict[str, str]:
    """Every PromQL expression of the dashboard and the alert rules, by where it is."""
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    found = {f"panel {p['title']!r}": t["expr"] for p in dashboard["panels"] for t in p["targets"]}
    rules = yaml.safe_load((DEPLOY / "prometheus-alerts.yml").read_text())
    found |= {f"alert {r['alert']}": r["expr"] for g in rules["groups"] for r in g["rules"]}
    return found


async def exported(settings: Settings, api: httpx.AsyncClient) -> set[str]:
    """Sample names a real API and a real worker (one run completed, one failed; its Atrium
    endpoint) export, including those of metrics declared but not recorded yet."""
    names = declared((await api.get("/metrics")).text)
    with worker_endpoint() as url:
        names |= declared(scrape(url))
    port = free_port()
    runtime = Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{port}"))
    )
    client = await connect(settings.temporal, runtime=runtime, codec=None)
    queue = f"monitoring-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[Probe], activities=[probe]):
        for fail in (False, True):
            try:
                await client.execute_workflow(
                    Probe.run, fail, id=f"{queue}-{fail}", task_queue=queue
                )
            except WorkflowFailureError:
                assert fail
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    return names | set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", text, re.M)) | {"up"}


async def test_every_query_names_an_exported_metric(
    queries: dict[str, str], settings: Settings, api: httpx.AsyncClient
) -> None:
    available = await exported(settings, api)
    assert "temporal_workflow_failed" in available and "atrium_api_requests_total" in available
    assert "temporal_activity_schedule_to_start_latency_bucket" in available
    assert "atrium_connector_call_seconds_bucket" in available
    assert "atrium_task_queue_backlog" in available
    unknown = {}
    for where, expr in queries.items():
        names = set(METRIC.findall(expr))
        assert names, f"{where} names no metric: {expr}"
        if names - available:
            unknown[where] = sorted(names - available)
    assert not unknown, f"metrics nobody exports: {unknown}"


def test_compose_provisions_the_dashboard_and_the_rules() -> None:
    compose: dict[str, Any] = yaml.safe_load(
        re.sub(r"\$\{(\w+)(?::\?[^}]*)?\}", "x", (ROOT / "temporal-compose.yml").read_text())
    )
    configs, services = compose["configs"], compose["services"]
    mounted = {c["source"]: c["target"] for s in services.values() for c in s.get("configs", [])}
    for name in ("grafana-dashboard", "prometheus-alerts"):
        assert (ROOT / configs[name]["file"]).is_file(), name
    prometheus = yaml.safe_load(configs["prometheus"]["content"])
    assert prometheus["rule_files"] == [mounted["prometheus-alerts"]]
    providers = yaml.safe_load(configs["grafana-dashboards"]["content"])["providers"]
    assert Path(mounted["grafana-dashboard"]).parent == Path(providers[0]["options"]["path"])
    sources = yaml.safe_load(configs["grafana-datasources"]["content"])["datasources"]
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    assert {p["datasource"]["uid"] for p in dashboard["panels"]} == {sources[0]["uid"]}
