"""SIS Imports: upload a zip (or one CSV) of Canvas SIS CSV files, then poll its state."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from connectors.actions import action
from connectors.canvas.models import SisImport
from connectors.canvas.requester import CanvasRequester, ref
from connectors.errors import ServerError

CONTENT_TYPES = {"zip": "application/zip", "csv": "text/csv"}


class SisImportsApi(CanvasRequester):
    @action("canvas.create_sis_import", effect="write")
    async def create_sis_import(
        self,
        data: bytes,
        *,
        extension: Literal["zip", "csv"] = "zip",
        account: int | str = "self",
        diffing_data_set_identifier: str | None = None,
        diffing_remaster_data_set: bool = False,
        skip_deletes: bool = False,
    ) -> SisImport:
        """Upload a SIS Import (a zip of SIS CSV files, or one CSV) for Canvas to apply.

        A raw-body upload, as Canvas documents for API clients (``extension`` names the format);
        each upload is a new import, so a repeat applies the files again."""
        params: dict[str, Any] = {"import_type": "instructure_csv", "extension": extension}
        if diffing_data_set_identifier:
            params["diffing_data_set_identifier"] = diffing_data_set_identifier
            if diffing_remaster_data_set:
                params["diffing_remaster_data_set"] = "true"
        if skip_deletes:
            params["skip_deletes"] = "true"
        return await self._one(
            SisImport,
            "POST",
            f"/accounts/{ref(account)}/sis_imports",
            params=params,
            content=data,
            headers={"Content-Type": CONTENT_TYPES[extension]},
        )

    @action("canvas.get_sis_import", effect="read")
    async def get_sis_import(self, import_id: int, account: int | str = "self") -> SisImport:
        """The state, counts and messages of a SIS Import."""
        return await self._one(
            SisImport, "GET", f"/accounts/{ref(account)}/sis_imports/{import_id}"
        )

    @action("canvas.wait_sis_import", effect="read")
    async def wait_sis_import(
        self,
        import_id: int,
        *,
        poll_interval: float = 1.0,
        timeout: float = 3600.0,  # noqa: ASYNC109 - a deadline for the whole poll, not one call
        account: int | str = "self",
    ) -> SisImport:
        """Poll a SIS Import until it ends (for scripts; workflows poll ``get_sis_import``
        themselves)."""
        deadline = time.monotonic() + timeout
        while True:
            found = await self.get_sis_import(import_id, account)
            if found.finished:
                return found
            if time.monotonic() > deadline:
                raise ServerError(
                    f"canvas: SIS import {import_id} still {found.workflow_state} after {timeout}s",
                    system=self.system,
                )
            await asyncio.sleep(poll_interval)
