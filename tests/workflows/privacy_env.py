"""A private sandbox institution for the privacy tests (every emulated system, its own state), its
connections registered in Atrium, one full roster sync into Canvas, and two students who are in
the SIS, Canvas, the library and the bursar: one to export or erase, one who must stay untouched."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client

from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import Integration, SentNotification
from connectors.credentials import static_credentials
from connectors.finance.client import BursarClient
from connectors.finance.models import AccountCreate, HoldCreate
from connectors.koha import KohaClient
from connectors.koha.models import PatronWrite
from connectors.oneroster import OneRosterClient
from tests.workflows.sync_env import Pair, start_sync

SYSTEMS = ("oneroster", "canvas", "koha", "finance")


@dataclass
class Student:
    sourced_id: str
    student_id: str
    given_name: str
    family_name: str
    email: str


@dataclass
class World:
    url: str
    creds: dict[str, dict[str, str]]
    names: dict[str, str]  # system -> connection name
    pair: Pair
    students: list[Student] = field(default_factory=list)

    def client(self, system: str, cls: Any) -> Any:
        return cls(f"{self.url}/{system}", static_credentials(self.creds[system]))


async def register(engine: Engine, credentials: Credentials, world: World) -> None:
    for system, name in world.names.items():
        base = f"{world.url}/{system}"
        meta = await credentials.store(name, world.creds[system], origin=origin_of(base))
        with session_scope(engine) as session:
            session.add(
                Integration(
                    name=name,
                    system=system,
                    base_url=base,
                    secret_path=meta.path,
                    health_path="/",
                    description="privacy tests",
                )
            )
            session.commit()


async def unregister(engine: Engine, credentials: Credentials, world: World) -> None:
    with session_scope(engine) as session:
        for name in world.names.values():
            for row in session.exec(select(Integration).where(Integration.name == name)):
                session.delete(row)
        session.commit()
    for name in world.names.values():
        await credentials.delete(name)


async def pick_students(world: World, count: int) -> list[Student]:
    found = []
    async with world.client("oneroster", OneRosterClient) as sis:
        async for user in sis.iterate("users", filter="role='student'", page_size=50):
            if user.identifier and user.email and user.given_name and user.family_name:
                found.append(
                    Student(
                        user.sourced_id,
                        user.identifier,
                        user.given_name,
                        user.family_name,
                        user.email,
                    )
                )
            if len(found) == count:
                break
    return found


async def enrol_elsewhere(world: World, engine: Engine, student: Student) -> None:
    """A library patron, a bursar account with a hold, a notification Atrium sent them."""
    async with world.client("koha", KohaClient) as koha:
        if await koha.find_patron_by_cardnumber(student.student_id) is None:
            await koha.create_patron(
                PatronWrite(
                    surname=student.family_name,
                    firstname=student.given_name,
                    library_id="CPL",
                    category_id="ST",
                    cardnumber=student.student_id,
                    email=student.email,
                )
            )
    async with world.client("finance", BursarClient) as bursar:
        key = uuid.uuid4().hex
        await bursar.create_account(
            AccountCreate(
                student_id=student.student_id,
                name=f"{student.given_name} {student.family_name}",
                email=student.email,
            ),
            idempotency_key=key,
        )
        await bursar.place_hold(
            student.student_id,
            HoldCreate(hold_type="financial", reason="unpaid fees"),
            idempotency_key=key + "h",
        )
    with session_scope(engine) as session:
        session.add(
            SentNotification(
                message_key=f"privacy-test-{uuid.uuid4().hex}",
                recipient=student.email.lower(),
                channel="email",
                template="welcome",
                detail="",
            )
        )
        session.commit()


async def build_world(
    url: str,
    creds: dict[str, dict[str, str]],
    engine: Engine,
    credentials: Credentials,
    client: Client,
    task_queue: str,
) -> AsyncIterator[World]:
    tag = uuid.uuid4().hex[:6]
    names = {s: f"privacy-{s}-{tag}" for s in SYSTEMS}
    world = World(url, creds, names, Pair(names["oneroster"], names["canvas"], "canvas"))
    await register(engine, credentials, world)
    try:
        handle = await start_sync(client, task_queue, world.pair, page_size=400)
        await handle.result()
        world.students = await pick_students(world, 2)
        for student in world.students:
            await enrol_elsewhere(world, engine, student)
        yield world
    finally:
        await unregister(engine, credentials, world)
