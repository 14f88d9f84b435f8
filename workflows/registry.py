"""The processes Atrium can run: what the API lists, validates and starts.

Each entry names the workflow, its one typed input, and how the workflow id is built from the
input's business key, so that a duplicate start joins the running run instead of starting twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from workflows.health_check import (
    HealthCheckAllInput,
    HealthCheckInput,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
)


@dataclass(frozen=True)
class Process:
    name: str
    workflow: type
    input_model: type[BaseModel]
    description: str
    workflow_id: Callable[[Any], str]
    integration: Callable[[Any], str | None] = lambda _: None
    subject: Callable[[Any], str | None] = lambda _: None
    signals: dict[str, type[BaseModel]] = field(default_factory=dict)

    @property
    def workflow_type(self) -> str:
        defn = getattr(self.workflow, "__temporal_workflow_definition")  # noqa: B009
        return str(defn.name)


PROCESSES: dict[str, Process] = {}


def register(process: Process) -> Process:
    if process.name in PROCESSES:
        raise ValueError(f"process {process.name!r} registered twice")
    PROCESSES[process.name] = process
    return process


register(
    Process(
        name="integration-health-check",
        workflow=IntegrationHealthCheck,
        input_model=HealthCheckInput,
        description="Read a connection's secret from Vault, call its health URL, record the result.",
        workflow_id=lambda i: f"health-check-{i.integration}",
        integration=lambda i: i.integration,
        subject=lambda i: i.integration,
    )
)
register(
    Process(
        name="integration-health-check-all",
        workflow=IntegrationHealthCheckAll,
        input_model=HealthCheckAllInput,
        description="Check every enabled connection (what the health-check schedule runs).",
        workflow_id=lambda _: "health-check-all",
    )
)


def by_workflow_type(workflow_type: str) -> Process | None:
    return next((p for p in PROCESSES.values() if p.workflow_type == workflow_type), None)
