"""What every sync activity needs: integrations, their secrets, mappings and a target writer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.connections import limited
from activities.events import EventActivities
from activities.sync.canvas_writer import CanvasWriter
from activities.sync.moodle_writer import MoodleWriter
from activities.sync.oneroster_pages import OneRosterPages
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

C = TypeVar("C", bound=HttpConnector)


def heartbeat(detail: str) -> None:
    if activity.in_activity():
        activity.heartbeat(detail)


class SyncContext:
    def __init__(
        self, engine: Engine, credentials: Credentials, events: EventActivities | None = None
    ) -> None:
        self.engine = engine
        self.credentials = credentials
        self.events = events  # None: nothing published (benchmarks, tools)
        self.store = SyncStore(engine)
        self._mappings: dict[tuple[str, int], CompiledMapping] = {}
        # One client per integration for the worker's lifetime: building an httpx client loads
        # the CA bundle (tens to hundreds of ms), and a OneRoster token is good for many pages.
        self._clients: dict[tuple[str, str, str], Any] = {}

    def integration(self, name: str) -> Integration:
        with session_scope(self.engine) as session:
            found = session.exec(select(Integration).where(Integration.name == name)).first()
        if found is None:
            raise ApplicationError(
                f"unknown integration {name!r}", non_retryable=True, type="NotFound"
            )
        return found

    def secret(self, name: str, for_url: str | None = None) -> CredentialSource:
        """Connection ``name``'s secret, for a client calling ``for_url``: the worker's origin
        guard refuses it unless that URL and the connection's own are of the bound origin."""

        async def read() -> Mapping[str, str]:
            return await self.credentials.read(name, for_url=for_url)

        return read

    def _client(self, name: str, system: str, make: type[C]) -> C:
        found = self.integration(name)
        if found.system != system:
            raise ApplicationError(
                f"{name!r} is a {found.system}, not a {system}",
                non_retryable=True,
                type="InvalidRequest",
            )
        key = (name, system, found.base_url)
        if key not in self._clients:
            secret = self.secret(name, found.base_url)
            client = make(found.base_url, secret)  # type: ignore[call-arg, arg-type]
            self._clients[key] = limited(client, name)
        return self._clients[key]  # type: ignore[no-any-return]

    def source(self, name: str) -> OneRosterPages:
        return self._client(name, "oneroster", OneRosterPages)

    def canvas(self, name: str) -> CanvasClient:
        return self._client(name, "canvas", CanvasClient)

    def moodle(self, name: str) -> MoodleClient:
        return self._client(name, "moodle", MoodleClient)

    @asynccontextmanager
    async def borrow_source(self, name: str) -> AsyncIterator[OneRosterPages]:
        """The shared client, for an ``async with`` block that must not close it."""
        yield self.source(name)

    @asynccontextmanager
    async def borrow_roster(
        self, name: str, package: int | None = None
    ) -> AsyncIterator[OneRosterPages | PackagePages]:
        """Where a sync reads the SIS's roster: its REST API, or, for a SIS connection with the
        option ``{"source": "csv"}``, the staged CSV package ``package`` (default: the newest
        processed bulk package)."""
        found = self.integration(name)
        if found.system == "oneroster" and found.options.get("source") == "csv":
            yield PackagePages(self.engine, name, package)
        else:
            yield self.source(name)

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
                MappingSpec.model_validate(stored.spec), stored.record_type
            )
        return self._mappings[key]
