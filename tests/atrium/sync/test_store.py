"""The sync-state store on SQLite and PostgreSQL: bulk upserts, idempotency keys, cursors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.sync.store import Saved, SyncStore
from tests.conftest import database_urls


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SyncStore:
    urls = database_urls(tmp_path)
    if request.param == "postgresql":
        assert len(urls) == 2, "ATRIUM_TEST_POSTGRES_URL is not set (make test and .ci/run set it)"
    url = urls[0 if request.param == "sqlite" else 1]
    upgrade(url)
    return SyncStore(make_engine(url))


def test_bulk_save_then_known_and_upsert(store: SyncStore) -> None:
    lms = f"lms-{uuid.uuid4().hex[:6]}"
    rows = [
        Saved(f"enr-{i:05d}", "v1", date_last_modified=datetime(2026, 7, 1, tzinfo=UTC))
        for i in range(2000)
    ]
    store.save(lms, "enrollments", "run-1", rows)
    known = store.known(lms, "enrollments", [r.source_id for r in rows] + ["nope"])
    assert len(known) == 2000 and known["enr-00001"].version == "v1"
    store.save(lms, "enrollments", "run-2", [Saved("enr-00001", "v2", target_id="42")])
    again = store.known(lms, "enrollments", ["enr-00001"])["enr-00001"]
    assert (again.version, again.target_id) == ("v2", "42")
    assert store.count(lms, "enrollments") == 2000


def test_deletion_candidates_are_gone_or_marked(store: SyncStore) -> None:
    lms = f"lms-{uuid.uuid4().hex[:6]}"
    store.save(lms, "users", "run-1", [Saved(f"u{i}", "v", snapshot="{}") for i in range(5)])
    store.mark_seen(lms, "users", "run-2", ["u0", "u1", "u2"])
    store.set_status(lms, "users", ["u0"], "tobedeleted")
    assert [c[0] for c in store.deletion_candidates(lms, "users", "run-2", full=True)] == [
        "u0",
        "u3",
        "u4",
    ]
    assert store.count_deletions(lms, "users", "run-2", full=False) == 1
    assert [
        c[0] for c in store.deletion_candidates(lms, "users", "run-2", full=True, after="u3")
    ] == ["u4"]


def test_idempotency_keys_and_cursors_only_move_forward(store: SyncStore) -> None:
    key = f"run|enrollments/e1|{uuid.uuid4().hex}"
    store.record([(key, "sis_import:1")])
    store.record([(key, "sis_import:2")])  # a repeated write is a no-op
    assert store.outcome(key) == "sis_import:1" and store.done([key, "other"]) == {key}
    lms = f"lms-{uuid.uuid4().hex[:6]}"
    assert store.cursor(lms, "users") is None
    late, early = datetime(2026, 9, 2, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC)
    store.advance_cursor(lms, "users", late)
    store.advance_cursor(lms, "users", early)
    assert store.cursor(lms, "users") == late
