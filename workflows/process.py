"""What Atrium needs to know of a process to list, validate, start and observe it: one record per
process, built in its own module's neighbourhood and collected by workflows/registry.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


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
    progress_query: str | None = None  # a query answering how far a running run has got
    # Input fields naming a connection, with the systems each may be: a start naming one that
    # does not exist, is disabled or is of another system is refused at once (422 naming it).
    connections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Runs on the events task queue, started eagerly by the API's own worker: only for processes
    # made of local activities (the run finishes in the workflow task the start hands back).
    eager: bool = False

    @property
    def workflow_type(self) -> str:
        defn = getattr(self.workflow, "__temporal_workflow_definition")  # noqa: B009
        return str(defn.name)
