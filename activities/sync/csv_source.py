"""OneRoster CSV packages as a roster source: list the SIS's SFTP drop, receive one package
(download, hash, read, stage its records), file it as processed or rejected with a report.

A package is received once per (source, name, SHA-256): receiving one already filed answers
``duplicate`` and stages nothing. The SIS connection is a ``oneroster`` integration whose options
say ``{"source": "csv"}``; how its drop is reached (the ``sftp_*`` settings) is
activities/clients.py's.
"""

from __future__ import annotations

import asyncio
import json

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.clients import drop_client
from activities.runtime import Runtime, heartbeat
from atrium.credentials import Credentials
from atrium.sync import packages
from connectors.oneroster.package_source import read_package, sha256_of
from connectors.sftp import DropClient
from connectors.sftp.drop import Outcome

NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$"


class DropRef(BaseModel):
    source: str
    name: str = Field(pattern=NAME)


class Received(BaseModel):
    package: int
    name: str
    status: str  # staged | rejected | processed (a duplicate keeps its first outcome)
    duplicate: bool = False
    mode: str = "bulk"
    counts: dict[str, int] = Field(default_factory=dict)
    problem_count: int = 0


class FileInput(BaseModel):
    source: str
    name: str = Field(pattern=NAME)
    package: int
    outcome: Outcome
    again_as: str = Field(pattern=NAME)  # stable across retries: the run id
    duplicate: bool = False
    syncs: dict[str, dict[str, object]] = Field(default_factory=dict)  # target -> outcome


class FinishInput(BaseModel):
    package: int
    status: str = Field(pattern=r"^(processed|rejected)$")


class CsvSourceActivities:
    def __init__(
        self, engine: Engine, credentials: Credentials, *, runtime: Runtime | None = None
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)
        self.engine = engine

    async def _drop(self, name: str) -> DropClient:
        return await drop_client(self.runtime, await self.runtime.aconnection(name, "oneroster"))

    @activity.defn(name="csv_list_drop")
    async def list_drop(self, source: str) -> list[str]:
        drop = await self._drop(source)
        with self.runtime.translate(source):
            return [f.name for f in await drop.list()]

    @activity.defn(name="csv_receive_drop")
    async def receive_drop(self, input: DropRef) -> Received:
        drop = await self._drop(input.source)
        with self.runtime.translate(input.source):
            data = await drop.download(input.name)
        heartbeat(f"{input.name}: downloaded {len(data)} bytes")
        package, _ = packages.receive(
            self.engine,
            source=input.source,
            name=input.name,
            sha256=sha256_of(data),
            origin="sftp",
            size=len(data),
        )
        assert package.id is not None
        if package.status in ("processed", "rejected"):
            return self._summary(package.id, duplicate=True)
        return await self._stage(package.id, data)

    @activity.defn(name="csv_stage_upload")
    async def stage_upload(self, package: int) -> Received:
        found = packages.get(self.engine, package)
        if found is None:
            raise ApplicationError(f"no package {package}", type="NotFound", non_retryable=True)
        if found.status in ("processed", "rejected"):
            return self._summary(package, duplicate=True)
        data = await asyncio.to_thread(packages.read_blob, self.engine, package)
        return await self._stage(package, data)

    async def _stage(self, package: int, data: bytes) -> Received:
        # Reading and staging a large package is CPU and database work: off the event loop,
        # so the worker keeps heartbeating and answering workflow tasks meanwhile.
        contents = await asyncio.to_thread(read_package, data)
        heartbeat(f"package {package}: read")
        await asyncio.to_thread(
            packages.stage,
            self.engine,
            package,
            mode=contents.mode,
            records=contents.records,
            problems=contents.file_problems
            + [p for p in contents.problems if p not in contents.file_problems],
            usable=contents.usable,
        )
        return self._summary(package)

    def _summary(self, package: int, *, duplicate: bool = False) -> Received:
        found = packages.get(self.engine, package)
        assert found is not None
        return Received(
            package=package,
            name=found.name,
            status=found.status,
            duplicate=duplicate,
            mode=found.mode,
            counts=found.counts,
            problem_count=found.problem_count,
        )

    @activity.defn(name="csv_finish_package")
    async def finish(self, input: FinishInput) -> None:
        await asyncio.to_thread(packages.finish, self.engine, input.package, input.status)

    @activity.defn(name="csv_file_drop")
    async def file_drop(self, input: FileInput) -> str:
        """Move the file out of the drop with its report beside it (safe to retry)."""
        found = packages.get(self.engine, input.package)
        if found is None:
            raise ApplicationError(
                f"no package {input.package}", type="NotFound", non_retryable=True
            )
        report = {
            "package": found.name,
            "sha256": found.sha256,
            "outcome": input.outcome,
            "duplicate_of": found.id if input.duplicate else None,
            "mode": found.mode,
            "counts": found.counts,
            "problem_count": found.problem_count,
            "problems": found.problems,
            "syncs": input.syncs,
            "received_at": found.received_at.isoformat(),
        }
        drop = await self._drop(input.source)
        with self.runtime.translate(input.source):
            return await drop.file(
                input.name,
                input.outcome,
                json.dumps(report, indent=2).encode(),
                again_as=input.again_as,
            )
