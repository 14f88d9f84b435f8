"""A start naming a connection that cannot serve the process is refused at once, naming the
field, instead of a run that fails later with the cause buried in its history (issue 13)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from atrium.db import session_scope
from atrium.models import Integration


@pytest.fixture
def koha(engine: Engine) -> Iterator[str]:
    """A library connection of this test's own (removed afterwards), enabled or not by name."""
    suffix = uuid.uuid4().hex[:8]
    names = [f"lib-{suffix}", f"off-{suffix}"]
    with session_scope(engine) as session:
        for name in names:
            session.add(
                Integration(
                    name=name,
                    system="koha",
                    base_url="http://127.0.0.1:9",
                    health_path="/",
                    description="",
                    enabled=not name.startswith("off-"),
                )
            )
        session.commit()
    yield names[0]
    with session_scope(engine) as session:
        for row in session.exec(select(Integration).where(Integration.name.in_(names))):  # type: ignore[attr-defined]
            session.delete(row)
        session.commit()


async def test_a_connection_that_does_not_exist_is_named(api: httpx.AsyncClient) -> None:
    missing = f"nowhere-{uuid.uuid4().hex[:8]}"
    answer = await api.post(
        "/api/v1/runs",
        json={"process": "roster-sync", "input": {"integration": missing, "source": missing}},
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert f"input.integration: no connection named {missing!r}" in error
    assert f"input.source: no connection named {missing!r}" in error


async def test_a_connection_of_the_wrong_system_or_disabled_is_refused(
    api: httpx.AsyncClient, koha: str
) -> None:
    answer = await api.post(
        "/api/v1/runs",
        json={
            "process": "grade-passback",
            "input": {"lms": koha, "sis": koha, "class_ids": ["c-1"]},
        },
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert (
        f"input.lms: {koha!r} is a koha connection; grade-passback takes canvas or moodle" in error
    )
    assert f"input.sis: {koha!r} is a koha connection; grade-passback takes oneroster" in error
    disabled = koha.replace("lib-", "off-")
    off = await api.post(
        "/api/v1/runs",
        json={"process": "integration-health-check", "input": {"integration": disabled}},
    )
    assert off.status_code == 422 and f"connection {disabled!r} is disabled" in off.text


async def test_a_usable_connection_starts(api: httpx.AsyncClient, koha: str) -> None:
    answer = await api.post(
        "/api/v1/runs", json={"process": "integration-health-check", "input": {"integration": koha}}
    )
    assert answer.status_code == 201, answer.text
