"""Builds the event machinery in the API's lifespan: broadcaster (with Redis if configured),
the hub, the watcher that streams what workers find out, and the webhook ingest path with its
caches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.events.broadcaster import Broadcaster
from api.events.hub import EventHub
from api.events.watchers import HealthChanges, RunOutcomes, StreamWatcher
from api.webhooks.config import WebhookConfig
from api.webhooks.ingest import WebhookIngest
from api.webhooks.secrets import SigningSecrets
from atrium.events.delivery import DeliveryRetry
from atrium.events.subscribers import SubscriberDirectory
from atrium.settings import Settings
from atrium.temporal import TaskQueues
from atrium.webhook_secrets import WebhookSecrets


@asynccontextmanager
async def events_started(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    cfg = settings.events
    broadcaster = Broadcaster(queue_size=cfg.stream_queue_size, redis_url=cfg.redis_url)
    await broadcaster.start()
    hub = EventHub(
        broadcaster,
        SubscriberDirectory(app.state.engine, cfg.config_cache_seconds),
        task_queue=settings.temporal.task_queue,
        retry=DeliveryRetry.from_settings(cfg),
    )
    app.state.events = hub
    app.state.webhooks = WebhookIngest(
        app.state.engine,
        WebhookConfig(app.state.engine, cfg.config_cache_seconds),
        SigningSecrets(WebhookSecrets(app.state.credentials), cfg.webhook_secret_ttl_seconds),
        hub,
        cfg,
        TaskQueues.from_settings(settings.temporal),
        settings.intake,
        lambda: app.state.temporal,  # the eager worker's client once it is connected
    )
    app.state.webhooks.intake.start()  # the intake's dispatcher: picks up what a restart left
    watcher = StreamWatcher(
        broadcaster,
        [RunOutcomes(lambda: app.state.temporal), HealthChanges(app.state.engine)],
        cfg.stream_runs_seconds,
    )
    watcher.start()
    try:
        yield
    finally:
        await watcher.stop()
        await app.state.webhooks.drain()
        await hub.drain()
        await broadcaster.stop()
