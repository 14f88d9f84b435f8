"""Who wants which events: the active subscriptions, read through a short cache."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from sqlmodel import select

from atrium.db import session_scope
from atrium.models import Subscription
from atrium.ttl_cache import TTLCache


class SubscriberDirectory:
    """Active subscriptions, cached for a few seconds so publishing costs no query per event."""

    def __init__(self, engine: Engine, ttl: float = 5.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._cache: TTLCache[str, list[tuple[int, list[str]]]] = TTLCache(ttl, self._load)

    def _query(self) -> list[tuple[int, list[str]]]:
        with session_scope(self.engine) as session:
            rows = session.exec(select(Subscription).where(Subscription.active == True)).all()  # noqa: E712
            return [(int(s.id or 0), list(s.event_types)) for s in rows]

    async def _load(self, _: str) -> list[tuple[int, list[str]]]:
        return await asyncio.to_thread(self._query)

    def invalidate(self) -> None:
        self._cache.invalidate()

    async def matching(self, event_type: str) -> list[int]:
        rows = await self._cache.get("all")
        return [sid for sid, types in rows if "*" in types or event_type in types]
