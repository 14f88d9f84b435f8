"""Which way each process moves data: from which system to which. The data-flow view
(``GET /api/v1/flows``) draws the school's systems as nodes and these as edges; the registry
(workflows/registry.py) checks at import that each one names a process and fields of its input.

An end is either an input field naming a connection (``field``) or a node that is not a school
system (``node``): Atrium's own store, the webhook intake, the caller of the API. Which input
fields the runs' search attributes carry (``AtriumIntegration``, ``AtriumSubject``) is found by
probing the registration itself, so a flow never repeats it; the other fields are read from the
run's start once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflows.process import Process

ATRIUM = "atrium"  # Atrium's own store (staged packages, notifications it composes)
WEBHOOKS = "webhooks"  # signed events from a school system, through the webhook intake
CALLER = "api-caller"  # whoever started the run with its data (an admissions office's call)


@dataclass(frozen=True)
class End:
    field: str | None = None  # an input field naming a connection
    node: str | None = None  # or a fixed node

    def __post_init__(self) -> None:
        if (self.field is None) == (self.node is None):
            raise ValueError("an end is a field or a node, not both nor neither")


@dataclass(frozen=True)
class Flow:
    process: str
    source: End
    target: End
    carries: str  # what moves, in a few words (the edge's label)


def field(name: str) -> End:
    return End(field=name)


def node(name: str) -> End:
    return End(node=name)


FLOWS: tuple[Flow, ...] = (
    # -- the sync engine -------------------------------------------------------------------------
    Flow("roster-sync", field("source"), field("integration"), "users, classes, enrollments"),
    Flow("backfill", field("source"), field("integration"), "full roster copy"),
    Flow("reconciliation", field("source"), field("integration"), "drift report (reads both)"),
    Flow("roster-csv-import", field("source"), node(ATRIUM), "OneRoster CSV packages"),
    Flow("grade-passback", field("lms"), field("sis"), "line items, results"),
    Flow("profile-sync", field("a"), field("b"), "profiles, both ways"),
    Flow("profile-update", node(WEBHOOKS), field("integration"), "contact details"),
    # -- campus processes ------------------------------------------------------------------------
    Flow("library-provisioning", field("sis"), field("library"), "patrons"),
    Flow("financial-hold", field("finance"), field("lms"), "access paused"),
    Flow("financial-hold", field("finance"), field("library"), "borrowing blocked"),
    Flow("student-onboarding", node(CALLER), field("lms"), "account, enrollments"),
    Flow("student-onboarding", node(CALLER), field("library"), "library card"),
    Flow("student-onboarding", node(CALLER), field("finance"), "bursar account"),
    Flow("proctored-exam", field("proctoring"), field("lms"), "proctored grades"),
    Flow("notify", node(ATRIUM), field("integration"), "notifications"),
)


@dataclass(frozen=True)
class DeclaredFlow:
    """A flow with its process's registration, and which search attribute carries each end."""

    flow: Flow
    process: Process
    carried: dict[str, str]  # input field -> "integration" | "subject"

    @property
    def fields(self) -> list[str]:
        return [e.field for e in (self.flow.source, self.flow.target) if e.field]


def _carried(process: Process, names: list[str]) -> dict[str, str]:
    """Which of ``names`` the run's search attributes carry: the registration's own
    ``integration`` and ``subject`` are applied to an input whose fields are markers."""
    markers: dict[str, Any] = {n: f"\x00{n}" for n in names}
    probe = process.input_model.model_construct(None, **markers)
    found: dict[str, str] = {}
    for attribute, read in (("integration", process.integration), ("subject", process.subject)):
        try:
            value = read(probe)
        except Exception:  # noqa: BLE001, S112  # nosec B112  # a key built of other fields: carries none of ours
            continue
        if isinstance(value, str) and value.startswith("\x00") and value[1:] in names:
            found.setdefault(value[1:], attribute)
    return found


def declare(flows: tuple[Flow, ...], registry: tuple[Process, ...]) -> tuple[DeclaredFlow, ...]:
    """Each flow with its registration; a flow naming no process, or a field its input does not
    have, stops the import (a typo here would draw an edge that never carries anything)."""
    by_name = {p.name: p for p in registry}
    declared = []
    for flow in flows:
        process = by_name.get(flow.process)
        if process is None:
            raise ValueError(f"flow of unknown process {flow.process!r}")
        names = [e.field for e in (flow.source, flow.target) if e.field]
        unknown = [n for n in names if n not in process.input_model.model_fields]
        if unknown:
            raise ValueError(f"flow of {flow.process}: {unknown} are not fields of its input")
        declared.append(DeclaredFlow(flow, process, _carried(process, names)))
    return tuple(declared)
