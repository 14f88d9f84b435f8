"""The data-flow view: systems as nodes, processes as edges with their live figures over a
window, an edge's runs, and the lineage of one person or class (api/flows.py,
atrium/sync/lineage.py). Students and professors, who see only runs about themselves or their
classes, get the graph of those runs only (and no other connection of the inventory), and may
trace only themselves or their classes."""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from api.deps import EngineDep, SettingsDep, TemporalDep
from api.flows import (
    FAILED,
    WINDOWS,
    Edge,
    EdgeRun,
    connections,
    edges,
    percentile,
    record_counts,
)
from api.security import Principal, require
from atrium.db import session_scope
from atrium.models.integration import utcnow
from atrium.sync import lineage
from workflows import flows as declared

router = APIRouter(tags=["flows"])

NAME = r"[a-z0-9][a-z0-9._-]{0,62}"
EDGE_PATTERN = rf"^[a-z0-9-]{{1,100}}:{NAME}:{NAME}$"
SOURCE_ID = r"^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,254}$"
FIXED_NODES = {declared.ATRIUM, declared.WEBHOOKS, declared.CALLER}


class Window(StrEnum):
    hour = "1h"
    day = "24h"
    week = "7d"


class FlowNode(BaseModel):
    id: str
    label: str
    kind: str  # connection | atrium | webhooks | api-caller | unknown
    system: str | None = None  # a connection's system type
    enabled: bool = True


class FlowEdge(BaseModel):
    id: str
    process: str
    source: str
    target: str
    carries: str
    runs: int
    running: int
    completed: int
    failed: int
    error_rate: float | None  # failed / closed runs; None when none closed
    p95_seconds: float | None  # over completed runs
    records: int  # records last written along it in the window
    quarantined: int  # records it could not map or write


class FlowGraph(BaseModel):
    window: str
    since: datetime
    nodes: list[FlowNode]
    edges: list[FlowEdge]
    truncated: bool  # more runs in the window than were looked at


class FlowRun(BaseModel):
    workflow_id: str
    run_id: str
    status: str
    start_time: datetime | None
    close_time: datetime | None
    seconds: float | None
    records: int
    quarantined: int
    temporal_ui_url: str


class LineageEntry(BaseModel):
    system: str
    system_type: str | None
    record_type: str
    source_id: str
    target_id: str | None
    status: str
    written_at: datetime
    workflow_id: str | None
    run_id: str | None
    mapping: str | None
    version: str


class Lineage(BaseModel):
    kind: str  # person | class
    source_id: str
    systems: list[str]
    entries: list[LineageEntry]


def _subjects(principal: Principal) -> list[str] | None:
    """None: every run; otherwise only runs about these subjects (students, professors)."""
    return principal.subjects() if principal.self_scoped else None


def _figures(edge: Edge, written: dict, quarantined: dict) -> FlowEdge:
    closed = [r for r in edge.runs if r.close_time is not None]
    failed = sum(r.status in FAILED for r in closed)
    durations = [r.seconds for r in closed if r.status == "Completed" and r.seconds is not None]
    return FlowEdge(
        id=edge.id,
        process=edge.process,
        source=edge.source,
        target=edge.target,
        carries=edge.carries,
        runs=len(edge.runs),
        running=sum(r.close_time is None for r in edge.runs),
        completed=sum(r.status == "Completed" for r in closed),
        failed=failed,
        error_rate=failed / len(closed) if closed else None,
        p95_seconds=percentile(durations, 0.95),
        records=sum(written.get((edge.target, r.key), 0) for r in edge.runs),
        quarantined=sum(quarantined.get((edge.target, r.key), 0) for r in edge.runs),
    )


def _nodes(engine: Engine, found: list[Edge], every: bool) -> list[FlowNode]:
    """Every connection (``every``: the caller may see the inventory) or those on the edges."""
    on_edges = {end for edge in found for end in (edge.source, edge.target)}
    with session_scope(engine) as session:
        nodes = {
            i.name: FlowNode(
                id=i.name, label=i.name, kind="connection", system=i.system, enabled=i.enabled
            )
            for i in connections(session)
            if every or i.name in on_edges
        }
    for edge in found:
        for end in (edge.source, edge.target):
            if end not in nodes:
                kind = end if end in FIXED_NODES else "unknown"
                nodes[end] = FlowNode(id=end, label=end, kind=kind)
    return list(nodes.values())


@router.get("/flows", response_model=FlowGraph)
async def flow_graph(
    client: TemporalDep,
    engine: EngineDep,
    window: Annotated[Window, Query(description="1h, 24h or 7d")] = Window.day,
    principal: Principal = require("runs:read"),
) -> FlowGraph:
    since = utcnow() - WINDOWS[window.value]
    found, truncated = await edges(client, WINDOWS[window.value], _subjects(principal))
    every = principal.can("integrations:read")

    def store_figures() -> tuple[dict, dict, list[FlowNode]]:
        with session_scope(engine) as session:
            written, quarantined = record_counts(session, found, since)
        return written, quarantined, _nodes(engine, found, every)

    written, quarantined, nodes = await asyncio.to_thread(store_figures)
    return FlowGraph(
        window=window.value,
        since=since,
        nodes=nodes,
        edges=[_figures(e, written, quarantined) for e in found],
        truncated=truncated,
    )


@router.get("/flows/edges/{edge_id}/runs", response_model=list[FlowRun])
async def edge_runs(
    edge_id: Annotated[str, Path(pattern=EDGE_PATTERN, max_length=230)],
    client: TemporalDep,
    engine: EngineDep,
    settings: SettingsDep,
    window: Annotated[Window, Query(description="1h, 24h or 7d")] = Window.day,
    principal: Principal = require("runs:read"),
) -> list[FlowRun]:
    """The edge's runs in the window, newest first (404 when it had none)."""
    since = utcnow() - WINDOWS[window.value]
    found, _ = await edges(client, WINDOWS[window.value], _subjects(principal))
    edge = next((e for e in found if e.id == edge_id), None)
    if edge is None:
        raise HTTPException(404, f"edge_id: no run along {edge_id!r} in the last {window.value}")

    def counts() -> tuple[dict, dict]:
        with session_scope(engine) as session:
            return record_counts(session, [edge], since)

    written, quarantined = await asyncio.to_thread(counts)
    ui = f"{settings.temporal.ui_url}/namespaces/{client.namespace}/workflows"

    def public(run: EdgeRun) -> FlowRun:
        return FlowRun(
            workflow_id=run.workflow_id,
            run_id=run.run_id,
            status=run.status,
            start_time=run.start_time,
            close_time=run.close_time,
            seconds=run.seconds,
            records=written.get((edge.target, run.key), 0),
            quarantined=quarantined.get((edge.target, run.key), 0),
            temporal_ui_url=f"{ui}/{run.workflow_id}/{run.run_id}/history",
        )

    newest = sorted(edge.runs, key=lambda r: r.start_time or since, reverse=True)
    return [public(r) for r in newest]


@router.get("/lineage", response_model=Lineage)
async def trace(
    engine: EngineDep,
    person: Annotated[
        str | None, Query(pattern=SOURCE_ID, max_length=255, description="a SIS sourcedId")
    ] = None,
    class_: Annotated[
        str | None,
        Query(alias="class", pattern=SOURCE_ID, max_length=255, description="a class sourcedId"),
    ] = None,
    principal: Principal = require("runs:read"),
) -> Lineage:
    """Every system the person's (or class's) records were written to: when, by which run, with
    which mapping version; newest first."""
    if (person is None) == (class_ is None):
        raise HTTPException(422, "person: give either person or class (one of them)")
    kind, source_id = ("person", person) if person is not None else ("class", class_ or "")
    if not principal.may_see(source_id):
        raise HTTPException(403, f"forbidden: you may trace only yourself or your classes ({kind})")

    def read() -> list[lineage.Written]:
        with session_scope(engine) as session:
            return lineage.trace(session, kind, source_id)

    written = await asyncio.to_thread(read)
    return Lineage(
        kind=kind,
        source_id=source_id,
        systems=sorted({w.system for w in written}),
        entries=[LineageEntry(**w.__dict__) for w in written],
    )
