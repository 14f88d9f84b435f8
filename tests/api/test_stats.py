"""The dashboard's records-synced-per-hour figure comes from the sync-state store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.engine import Engine

from atrium.db import session_scope
from atrium.models import SyncRecord


async def test_records_synced_per_hour(api: httpx.AsyncClient, engine: Engine) -> None:
    now = datetime.now(UTC)
    integration = f"stats-{uuid.uuid4().hex[:6]}"
    with session_scope(engine) as session:
        for i in range(3):
            session.add(
                SyncRecord(
                    integration=integration,
                    record_type="users",
                    source_id=f"u{i}",
                    version="v",
                    synced_at=now,
                )
            )
        session.add(
            SyncRecord(
                integration=integration,
                record_type="users",
                source_id="old",
                version="v",
                synced_at=now - timedelta(hours=2),
            )
        )
        session.commit()
    answer = await api.get("/api/v1/stats/records-synced", params={"hours": 3})
    assert answer.status_code == 200, answer.text
    hours = answer.json()
    assert len(hours) == 3
    assert hours[-1]["records"] >= 3 and hours[0]["records"] >= 1
    assert datetime.fromisoformat(hours[-1]["hour"]) <= now
    bad = await api.get("/api/v1/stats/records-synced", params={"hours": 0})
    assert bad.status_code == 422 and "hours" in bad.json()["error"]
