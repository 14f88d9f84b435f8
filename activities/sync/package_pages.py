"""Pages of a staged OneRoster CSV package, offered as ``OneRosterPages`` offers the REST API's:
the roster sync, reconciliation and backfill read either without knowing which.

A package is already the selection its SIS made (a bulk file is everything, a delta file is what
changed), so a ``filter`` (the incremental cursor) is not applied: records the store already
holds at the same version come out unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from temporalio.exceptions import ApplicationError

from activities.sync.oneroster_pages import parse_page
from atrium.sync import packages


class PackagePages:
    system = "oneroster-csv"

    def __init__(self, engine: Engine, source: str, package: int | None) -> None:
        self.engine, self.source, self._package = engine, source, package

    @property
    def package(self) -> int:
        if self._package is None:
            self._package = packages.current(self.engine, self.source)
        if self._package is None:
            raise ApplicationError(
                f"{self.source} reads OneRoster CSV packages and none was processed yet",
                non_retryable=True,
                type="NotFound",
            )
        return self._package

    async def page(
        self, collection: str, *, offset: int, limit: int, filter: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        body, total = await self.raw_page(collection, offset=offset, limit=limit, filter=filter)
        return parse_page(collection, body), total

    async def raw_page(
        self, collection: str, *, offset: int, limit: int, filter: str | None = None
    ) -> tuple[bytes, int]:
        rows = packages.page(self.engine, self.package, collection, offset, limit)
        body = f'{{"{collection}":[{",".join(rows)}]}}'.encode()
        return body, packages.total(self.engine, self.package, collection)
