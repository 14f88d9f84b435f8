"""One registration per workflow: everything Atrium needs to know of it to list, validate, start,
signal and observe its runs, and to serve it (the activity classes its workflow calls). The
registrations are collected in workflows/registry.py; worker.py serves what they declare."""

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
    # The activity classes the workflow calls (its own steps and the helpers it shares, such as
    # workflows/notify.py's ``send``): the worker builds each once and serves every
    # ``@activity.defn`` method of it.
    activities: tuple[type, ...] = ()
    integration: Callable[[Any], str | None] = lambda _: None
    subject: Callable[[Any], str | None] = lambda _: None
    # Signals a user may send through the API (name -> payload), and the query answering how far
    # a running run has got.
    signals: dict[str, type[BaseModel]] = field(default_factory=dict)
    progress_query: str | None = None
    # Input fields naming a connection, with the systems each may be: a start naming one that
    # does not exist, is disabled or is of another system is refused at once (422 naming it).
    connections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Runs on the events task queue, started eagerly by the API's own worker: only for processes
    # made of local activities (the run finishes in the workflow task the start hands back).
    # The main worker serves it too.
    eager: bool = False
    # Started by Atrium itself (a publish, the webhook intake, an alert schedule), never through
    # the API: served by the workers but not listed by GET /processes nor startable.
    internal: bool = False

    @property
    def workflow_type(self) -> str:
        defn = getattr(self.workflow, "__temporal_workflow_definition")  # noqa: B009
        return str(defn.name)
