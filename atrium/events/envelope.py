"""What a subscriber receives, and a workflow-id-safe form of an event id."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,120}$")


class EventEnvelope(BaseModel):
    """What a subscriber receives: ``id`` is stable across retries (deduplicate on it)."""

    id: str = Field(max_length=255)
    type: str = Field(max_length=64)
    created_at: datetime
    data: dict[str, Any] = Field(default_factory=dict)


def envelope(event_type: str, data: dict[str, Any], event_id: str | None = None) -> EventEnvelope:
    return EventEnvelope(
        id=event_id or f"evt_{uuid.uuid4().hex}",
        type=event_type,
        created_at=datetime.now(UTC),
        data=data,
    )


def event_key(event_id: str) -> str:
    """A workflow-id-safe form of an event id (hashed when it has unusual characters)."""
    if SAFE_ID.match(event_id):
        return event_id
    return hashlib.sha256(event_id.encode()).hexdigest()[:40]
