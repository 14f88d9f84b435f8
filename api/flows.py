"""The data-flow graph: the school's systems as nodes, each process moving data between two of
them as an edge (declared in workflows/flows.py), with what went along it over a window.

Runs come from Temporal's visibility store (every run of a process with a declared flow that
closed in the window or is still running). An end carried by a search attribute is read from it;
any other is read from the run's start event once and kept (a run's input never changes).
Records are the sync state's rows whose last write was by one of the edge's runs in the window,
errors the records quarantined by them.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecution

from api.routes.runs import _quote as quote  # the one visibility-literal quoting
from atrium.models import Integration, QuarantinedRecord, SyncRecord
from atrium.models.integration import utcnow
from atrium.temporal import INTEGRATION, SUBJECT
from workflows.flows import DeclaredFlow
from workflows.registry import DECLARED_FLOWS

WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
MAX_RUNS = 5000  # runs looked at per graph; more in the window and the figures say so
INPUT_READS = 200  # run inputs read from history per request (the rest wait for the next one)
FAILED = {"Failed", "TimedOut", "Terminated"}
UNKNOWN = "unknown"  # an end whose run input could not be read yet


@dataclass
class EdgeRun:
    workflow_id: str
    run_id: str
    status: str
    start_time: datetime | None
    close_time: datetime | None

    @property
    def key(self) -> str:
        """How the sync engine names the run in the store (``seen_run``, quarantine's run)."""
        return f"{self.workflow_id}:{self.run_id}"

    @property
    def seconds(self) -> float | None:
        if self.close_time is None or self.start_time is None:
            return None
        return (self.close_time - self.start_time).total_seconds()


@dataclass
class Edge:
    id: str
    process: str
    source: str
    target: str
    carries: str
    runs: list[EdgeRun] = field(default_factory=list)


class _Inputs:
    """Run inputs read from history, the latest ``size`` kept."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._kept: OrderedDict[str, Any] = OrderedDict()

    def get(self, run_key: str) -> Any:
        value = self._kept.get(run_key)
        if value is not None:
            self._kept.move_to_end(run_key)
        return value

    def put(self, run_key: str, value: Any) -> None:
        self._kept[run_key] = value
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)


INPUTS = _Inputs()


def visibility_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _by_type() -> dict[str, list[DeclaredFlow]]:
    found: dict[str, list[DeclaredFlow]] = {}
    for declared in DECLARED_FLOWS:
        found.setdefault(declared.process.workflow_type, []).append(declared)
    return found


async def _listed(
    client: Client, since: datetime, types: Iterable[str], subjects: list[str] | None
) -> list[WorkflowExecution]:
    names = ", ".join(f"'{t}'" for t in sorted(types))  # workflow type names: code, not input
    query = (
        f"WorkflowType IN ({names}) AND"
        f" (ExecutionStatus = 'Running' OR CloseTime > '{visibility_time(since)}')"
    )
    if subjects is not None:  # a student or professor: only runs about them (as GET /runs)
        query += f" AND AtriumSubject IN ({', '.join(quote(s) for s in subjects)})"
    return [run async for run in client.list_workflows(query, limit=MAX_RUNS)]


async def _read_input(client: Client, run: WorkflowExecution, model: type) -> Any:
    handle = client.get_workflow_handle(run.id, run_id=run.run_id)
    async for event in handle.fetch_history_events(page_size=1):
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        [value] = await client.data_converter.decode(payloads, [model])
        return value
    return None


async def _ends(
    client: Client, run: WorkflowExecution, declared: DeclaredFlow, budget: list[int]
) -> tuple[str, str]:
    attributes = run.typed_search_attributes
    carried = {"integration": attributes.get(INTEGRATION), "subject": attributes.get(SUBJECT)}
    values: dict[str, str | None] = {
        name: carried[attribute] for name, attribute in declared.carried.items()
    }
    missing = [n for n in declared.fields if not values.get(n)]
    if missing:
        key = f"{run.id}:{run.run_id}"
        given = INPUTS.get(key)
        if given is None and budget[0] > 0:
            budget[0] -= 1
            try:
                given = await _read_input(client, run, declared.process.input_model)
            except Exception:  # noqa: BLE001  # an unreadable start: the end stays unknown
                given = None
            if given is not None:
                INPUTS.put(key, given)
        for name in missing:
            values[name] = getattr(given, name, None) if given is not None else None

    def end(which: Any) -> str:
        return which.node or values.get(which.field) or UNKNOWN

    return end(declared.flow.source), end(declared.flow.target)


def edge_id(process: str, source: str, target: str) -> str:
    return f"{process}:{source}:{target}"


async def edges(
    client: Client, window: timedelta, subjects: list[str] | None = None
) -> tuple[list[Edge], bool]:
    """The edges with runs in the window (only runs about ``subjects`` when given), and whether
    the run limit cut the look short."""
    since = utcnow() - window
    by_type = _by_type()
    if subjects is not None and not subjects:
        return [], False  # a student without a person id, a professor without classes
    runs = await _listed(client, since, by_type, subjects)
    found: dict[str, Edge] = {}
    budget = [INPUT_READS]
    for run in runs:
        for declared in by_type.get(run.workflow_type, []):
            source, target = await _ends(client, run, declared, budget)
            key = edge_id(declared.flow.process, source, target)
            edge = found.setdefault(
                key, Edge(key, declared.flow.process, source, target, declared.flow.carries)
            )
            status = run.status.name.title().replace("_", "") if run.status else "Unknown"
            edge.runs.append(
                EdgeRun(run.id, run.run_id or "", status, run.start_time, run.close_time)
            )
    return sorted(found.values(), key=lambda e: e.id), len(runs) >= MAX_RUNS


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (None of nothing)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _run_keys(all_edges: list[Edge]) -> list[str]:
    return [run.key for edge in all_edges for run in edge.runs]


def record_counts(
    session: Session, all_edges: list[Edge], since: datetime
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(integration, run key) -> records last written by that run in the window, and ->
    records it quarantined there."""
    keys = _run_keys(all_edges)
    written: dict[tuple[str, str], int] = {}
    quarantined: dict[tuple[str, str], int] = {}
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        for integration, run, count in session.exec(
            select(SyncRecord.integration, SyncRecord.written_run, func.count())
            .where(col(SyncRecord.written_run).in_(batch), col(SyncRecord.synced_at) >= since)
            .group_by(col(SyncRecord.integration), col(SyncRecord.written_run))
        ):
            written[(integration, str(run))] = int(count)
        for integration, run, count in session.exec(
            select(QuarantinedRecord.integration, QuarantinedRecord.run_id, func.count())
            .where(
                col(QuarantinedRecord.run_id).in_(batch),
                col(QuarantinedRecord.created_at) >= since,
            )
            .group_by(col(QuarantinedRecord.integration), col(QuarantinedRecord.run_id))
        ):
            quarantined[(integration, run)] = int(count)
    return written, quarantined


def connections(session: Session) -> list[Integration]:
    return list(session.exec(select(Integration).order_by(col(Integration.name))).all())
