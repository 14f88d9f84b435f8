"""Connector errors -> Temporal failures, for a block of sync code (``with translate(): ...``):
the one translation of activities/connections.py, as a context manager."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from activities.connections import translate as failure_of
from connectors.errors import ConnectorError


@contextmanager
def translate() -> Iterator[None]:
    try:
        yield
    except ConnectorError as exc:
        raise failure_of(exc) from exc
