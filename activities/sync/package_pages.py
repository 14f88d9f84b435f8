"""Pages of a staged OneRoster CSV package, offered as ``OneRosterClient.raw_page`` offers the
REST API's: the roster sync, reconciliation and backfill read either without knowing which
(``connectors.oneroster.pages.page_records`` decodes both).

A package is already the selection its SIS made (a bulk file is everything, a delta file is what
changed), so a ``filter`` (the incremental cursor) is not applied: records the store already
holds at the same version come out unchanged.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio.exceptions import ApplicationError

from atrium.sync import packages
from connectors.oneroster.endpoints import endpoint


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

    async def raw_page(
        self, collection: str, *, offset: int, limit: int, filter: str | None = None
    ) -> tuple[bytes, int]:
        rows = packages.page(self.engine, self.package, collection, offset, limit)
        body = f'{{"{endpoint(collection).wrapper}":[{",".join(rows)}]}}'.encode()
        return body, packages.total(self.engine, self.package, collection)
