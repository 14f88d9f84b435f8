"""Helpers the intake tests share: events planted in the intake as a request would commit
them, the Canvas sandbox's view of a person, and cleanup."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from tenacity import retry, retry_if_result, stop_after_delay, wait_fixed

from atrium.intake.store import IntakeStore, NewEvent
from atrium.models import IntakeEvent

T = IntakeEvent.__table__  # type: ignore[attr-defined]


def email_event(person: str, integration: str, *, source: str, claimed_by: str | None) -> NewEvent:
    email = f"{uuid.uuid4().hex[:8]}@example.edu"
    return NewEvent(
        source=source,
        event_id=f"evt_{uuid.uuid4().hex}",
        event_type="person.updated",
        process="profile-update",
        subject=person,
        workflow_id=f"profile-update-{person}:{source}:{uuid.uuid4().hex[:8]}",
        input={"person_id": person, "integration": integration, "fields": {"email": email}},
        claimed_by=claimed_by,
    )


def plant(engine: Engine, events: Sequence[NewEvent]) -> list[int]:
    return [a.id for a in IntakeStore(engine).append(events)]


def rows(engine: Engine, source: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(T).where(T.c.source == source).order_by(T.c.id)))


def remove(engine: Engine, source: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(T).where(T.c.source == source))


def _throttled(answer: httpx.Response) -> bool:
    return answer.status_code == 403 and "Rate Limit Exceeded" in answer.text


# A read right after a burst of writes waits out Canvas's throttle (the token's bucket drains at
# its own pace); the last answer is kept when it never does, for the assertion to show.
@retry(
    retry=retry_if_result(_throttled),
    wait=wait_fixed(0.25),
    stop=stop_after_delay(30),
    retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
)
async def _read(sandbox: httpx.AsyncClient, path: str, token: str) -> httpx.Response:
    return await sandbox.get(path, headers={"Authorization": f"Bearer {token}"})


async def canvas_email(sandbox_url: str, person: str) -> str:
    async with httpx.AsyncClient(base_url=sandbox_url) as sandbox:
        token = (await sandbox.get("/_control/credentials/canvas")).json()["token"]
        user = await _read(sandbox, f"/canvas/api/v1/users/sis_user_id:{person}", token)
    user.raise_for_status()
    return str(user.json()["email"])
