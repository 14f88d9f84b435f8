"""What a page activity hands a target writer, and what it gets back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from connectors.canonical.models import Record

Heartbeat = Callable[[str], None]


@dataclass(slots=True)
class WriteItem:
    source_id: str
    record: Record
    action: str  # create | update | deactivate
    key: str  # idempotency key (run, record, version)


@dataclass
class WriteOutcome:
    target_ids: dict[str, str | None] = field(default_factory=dict)  # written source ids
    failed: dict[str, str] = field(default_factory=dict)  # source id -> reason from the target


class TargetWriter(Protocol):
    """One LMS. ``batch_key`` is the idempotency key of the whole batch (bulk paths)."""

    async def write(
        self, record_type: str, items: Sequence[WriteItem], *, bulk: bool, batch_key: str
    ) -> WriteOutcome: ...

    async def aclose(self) -> None: ...


OutcomeLookup = Callable[[str], Awaitable[str | None]]
