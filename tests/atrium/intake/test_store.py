"""The intake log on SQLite and PostgreSQL: deduplication by (source, event id), claims that
keep each subject's order, leases that hand a dead dispatcher's events to another."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine

from atrium.db import make_engine
from atrium.intake.store import IntakeStore
from atrium.migrations import upgrade
from atrium.models.integration import utcnow
from tests.conftest import session_postgres_url
from tests.workflows.intake_support import T, email_event


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        own = session_postgres_url()
        assert own, "ATRIUM_TEST_POSTGRES_URL is not set (.ci/run sets it)"
        url = own
    else:
        url = f"sqlite:///{tmp_path / 'intake.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def source(engine: Engine) -> Iterator[str]:
    name = f"src-{uuid.uuid4().hex[:8]}"
    yield name
    with engine.begin() as conn:
        conn.execute(delete(T).where(T.c.source == name))


def ours(claimed: list, source: str) -> list[int]:  # type: ignore[type-arg]
    return [c.id for c in claimed if c.source == source]


def test_an_event_id_is_accepted_once(engine: Engine, source: str) -> None:
    store = IntakeStore(engine)
    a, b = (email_event("U1", "canvas", source=source, claimed_by=None) for _ in range(2))
    first = store.append([a, b, a])  # the same event twice in one group commit
    assert [x.new for x in first] == [True, True, False]
    assert first[2].id == first[0].id
    again = store.append([b])  # redelivered later
    assert again[0].new is False and again[0].id == first[1].id
    assert again[0].status == "pending" and again[0].workflow_id == b.workflow_id


def test_claims_keep_each_subjects_order(engine: Engine, source: str) -> None:
    store = IntakeStore(engine)
    events = [
        email_event(person, "canvas", source=source, claimed_by=None)
        for person in ("P1", "P2", "P1", "P1")
    ]
    p1_first, p2, p1_second, p1_third = (a.id for a in store.append(events))
    # Another dispatcher holds P1's first event: P1's later ones wait for it, P2's does not.
    with engine.begin() as conn:
        conn.execute(
            update(T).where(T.c.id == p1_first).values(status="claimed", claimed_at=utcnow())
        )
    claimed, _ = store.claim("b", 100, lease_seconds=60)
    assert ours(claimed, source) == [p2]
    store.finish([p1_first])
    claimed, _ = store.claim("b", 100, lease_seconds=60)
    assert ours(claimed, source) == [p1_second, p1_third]  # in intake order, in one claim
    assert ours(store.claim("c", 100, lease_seconds=60)[0], source) == []  # claimed: taken


def test_a_dead_dispatchers_claims_are_taken_after_the_lease(engine: Engine, source: str) -> None:
    store = IntakeStore(engine)
    live, dead = store.append(
        [email_event(p, "canvas", source=source, claimed_by="api:1@gone") for p in ("Q1", "Q2")]
    )
    with engine.begin() as conn:
        stale = utcnow() - timedelta(seconds=120)
        conn.execute(update(T).where(T.c.id == dead.id).values(claimed_at=stale))
    claimed, _ = store.claim("api:2@here", 100, lease_seconds=60)
    assert ours(claimed, source) == [dead.id]  # the live claim is left alone
    store.release([live.id])
    assert ours(store.claim("api:2@here", 100, lease_seconds=60)[0], source) == [live.id]
