"""What every sync activity needs: integrations, their kept clients (through the runtime: one
lookup, one secret path, one client cache), mappings and a target writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio.exceptions import ApplicationError

from activities.events import EventActivities
from activities.runtime import Runtime, heartbeat
from activities.sync.canvas_writer import CanvasWriter
from activities.sync.moodle_writer import MoodleWriter
from activities.sync.package_pages import PackagePages
from activities.sync.writes import TargetWriter
from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import Integration
from atrium.models.mapping import Mapping as StoredMapping
from atrium.sync.defaults import ONEROSTER
from atrium.sync.mapping import CompiledMapping, MappingSpec
from atrium.sync.store import SyncStore
from connectors.canvas import CanvasClient
from connectors.credentials import CredentialSource
from connectors.http import HttpConnector
from connectors.moodle import MoodleClient
from connectors.oneroster import OneRosterClient

C = TypeVar("C", bound=HttpConnector)


__all__ = ["SyncContext", "heartbeat"]


class SyncContext:
    def __init__(
        self, engine: Engine, credentials: Credentials, events: EventActivities | None = None
    ) -> None:
        self.runtime = Runtime(engine, credentials)
        self.engine = engine
        self.credentials = credentials
        self.events = events  # None: nothing published (benchmarks, tools)
        self.store = SyncStore(engine)
        self._mappings: dict[tuple[str, int], CompiledMapping] = {}

    def integration(self, name: str, *systems: str) -> Integration:
        """The enabled connection ``name`` (of one of ``systems``), or a permanent error."""
        return self.runtime.connection(name, *systems)

    def secret(self, name: str, for_url: str | None = None) -> CredentialSource:
        """Connection ``name``'s secret, for a client calling ``for_url``: the worker's origin
        guard refuses it unless that URL and the connection's own are of the bound origin."""
        return self.runtime.source(name, for_url)

    def _client(self, name: str, system: str, make: type[C]) -> C:
        return self.runtime.client(self.integration(name, system), make)  # type: ignore[arg-type]

    def source(self, name: str) -> OneRosterClient:
        """The kept client of the OneRoster connection ``name`` (callers do not close it)."""
        return self._client(name, "oneroster", OneRosterClient)

    def canvas(self, name: str) -> CanvasClient:
        return self._client(name, "canvas", CanvasClient)

    def moodle(self, name: str) -> MoodleClient:
        return self._client(name, "moodle", MoodleClient)

    @asynccontextmanager
    async def borrow_source(self, name: str) -> AsyncIterator[OneRosterClient]:
        """The shared client, for an ``async with`` block that must not close it."""
        yield self.source(name)

    @asynccontextmanager
    async def borrow_roster(
        self, name: str, package: int | None = None
    ) -> AsyncIterator[OneRosterClient | PackagePages]:
        """Where a sync reads the SIS's roster: its REST API, or, for a SIS connection with the
        option ``{"source": "csv"}``, the staged CSV package ``package`` (default: the newest
        processed bulk package)."""
        found = self.integration(name, "oneroster")
        if (found.options or {}).get("source") == "csv":
            yield PackagePages(self.engine, name, package)
        else:
            yield self.runtime.client(found, OneRosterClient)

    def writer(self, name: str) -> TargetWriter:
        system = self.integration(name).system
        if system == "canvas":
            return CanvasWriter(self.canvas(name), self.store, heartbeat)
        if system == "moodle":
            return MoodleWriter(self.moodle(name), self.store, name)
        raise ApplicationError(
            f"cannot roster into a {system}", non_retryable=True, type="InvalidRequest"
        )

    def mapping(self, record_type: str, name: str | None) -> CompiledMapping:
        """The newest version of the stored mapping ``name``, or the built-in OneRoster one."""
        if not name:
            key = (f"builtin:{record_type}", 0)
            if key not in self._mappings:
                self._mappings[key] = CompiledMapping(ONEROSTER[record_type], record_type)
            return self._mappings[key]
        with session_scope(self.engine) as session:
            stored = session.exec(
                select(StoredMapping)
                .where(StoredMapping.name == name)
                .order_by(col(StoredMapping.version).desc())
            ).first()
        if stored is None:
            raise ApplicationError(f"unknown mapping {name!r}", non_retryable=True, type="NotFound")
        key = (name, stored.version)
        if key not in self._mappings:
            self._mappings[key] = CompiledMapping(
                MappingSpec.model_validate(stored.spec),
                stored.record_type,
                label=f"{name}@{stored.version}",
            )
        return self._mappings[key]
