"""Sources and their routing rules, read from the database and cached for a few seconds so a
webhook costs no query; management routes invalidate this replica's copy at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import jmespath
from jmespath.parser import ParsedResult
from sqlalchemy.engine import Engine
from sqlmodel import select

from api.webhooks.mapping import CompiledMapping, compile_mapping
from atrium.db import session_scope
from atrium.models import WebhookRule, WebhookSource
from atrium.ttl_cache import TTLCache


@dataclass(frozen=True)
class Rule:
    event_type: str
    process: str
    mapping: CompiledMapping


@dataclass(frozen=True)
class SourceConfig:
    name: str
    scheme: str
    tolerance_seconds: int
    secret_name: str
    enabled: bool
    event_type: ParsedResult
    event_id: ParsedResult
    rules: dict[str, Rule] = field(default_factory=dict)


class WebhookConfig:
    def __init__(self, engine: Engine, ttl: float) -> None:
        self.engine = engine
        self._cache: TTLCache[str, SourceConfig | None] = TTLCache(ttl, self._load)

    def _query(self, name: str) -> SourceConfig | None:
        with session_scope(self.engine) as session:
            source = session.exec(select(WebhookSource).where(WebhookSource.name == name)).first()
            if source is None:
                return None
            rules = session.exec(
                select(WebhookRule).where(WebhookRule.source == name, WebhookRule.enabled == True)  # noqa: E712
            ).all()
        return SourceConfig(
            name=source.name,
            scheme=source.scheme,
            tolerance_seconds=source.tolerance_seconds,
            secret_name=source.secret_name,
            enabled=source.enabled,
            event_type=jmespath.compile(source.event_type_path),
            event_id=jmespath.compile(source.event_id_path),
            rules={
                r.event_type: Rule(r.event_type, r.process, compile_mapping(r.input_mapping))
                for r in rules
            },
        )

    async def _load(self, name: str) -> SourceConfig | None:
        return await asyncio.to_thread(self._query, name)

    async def source(self, name: str) -> SourceConfig | None:
        return await self._cache.get(name)

    def invalidate(self, name: str | None = None) -> None:
        self._cache.invalidate(name)
