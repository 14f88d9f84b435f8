"""Vendors whose platforms call Atrium with signed webhooks on behalf of one of Atrium's
integrations (``POST /api/v1/webhooks/<vendor>/<integration>``), declared here: how they sign
(a ``HeaderFormat``), which integration system they belong to, and what their events do. They go
through the same intake as webhook sources (``api.webhooks.ingest``): same verifier, body limit,
status codes and delivery log; their secrets live in ``webhooks/vendors/<vendor>/<integration>``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client

from api.webhooks import proctoring
from api.webhooks.delivery_log import Attempt
from api.webhooks.rejected import Answer
from atrium.db import session_scope
from atrium.models import Integration
from atrium.signatures import HeaderFormat
from connectors.proctoring.signature import SIGNATURE_HEADER as PROCTOR_SIGNATURE_HEADER

VendorDispatch = Callable[[Engine, Client, str, dict[str, Any], Attempt], Awaitable[Answer]]


@dataclass(frozen=True)
class Vendor:
    name: str
    system: str  # the integration system its integrations have
    format: HeaderFormat
    dispatch: VendorDispatch

    async def has_integration(self, engine: Engine, name: str) -> bool:
        def query() -> bool:
            with session_scope(engine) as session:
                row = session.exec(
                    select(Integration.system).where(Integration.name == name)
                ).first()
            return row == self.system

        return await asyncio.to_thread(query)


VENDORS = {
    "proctoring": Vendor(
        name="proctoring",
        system="proctoring",
        format=HeaderFormat(PROCTOR_SIGNATURE_HEADER, "pairs"),
        dispatch=proctoring.dispatch,
    ),
}
