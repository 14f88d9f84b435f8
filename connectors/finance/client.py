"""Bursar REST client: accounts, holds and charges with idempotent writes.

Credentials are ``{"api_key": ...}``, read again after a 401 (the key may have been rotated).
Every write takes the caller's idempotency key, so a retried activity never double-charges.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from connectors.actions import action
from connectors.errors import Conflict, MalformedResponse
from connectors.finance.models import (
    Account,
    AccountCreate,
    AccountUpdate,
    Charge,
    ChargeCreate,
    Hold,
    HoldCreate,
)
from connectors.http import ApiKeyConnector

M = TypeVar("M", bound=BaseModel)


class BursarClient(ApiKeyConnector):
    system = "finance"

    def _raise_for(self, response: httpx.Response) -> None:
        if response.status_code == 409:
            raise Conflict(self._problem(response), status=409, system=self.system)
        super()._raise_for(response)

    def _problem(self, response: httpx.Response) -> str:
        """One line from an RFC 9457 body: title, detail and any per-field errors."""
        try:
            body = response.json()
        except json.JSONDecodeError:
            return f"finance: {response.status_code}: {response.text[:200]}"
        fields = "; ".join(f"{e.get('pointer')}: {e.get('detail')}" for e in body.get("errors", []))
        head = f"finance: {response.status_code} {body.get('title')}: {body.get('detail')}"
        return f"{head} {fields}".strip()

    def _model(self, model: type[M], response: httpx.Response, data: Any = None) -> M:
        try:
            return model.model_validate(response.json() if data is None else data)
        except (ValidationError, json.JSONDecodeError) as exc:
            raise MalformedResponse(
                f"finance: {response.request.url.path} gave an invalid {model.__name__}: {exc}",
                system=self.system,
            ) from exc

    async def _pages(self, path: str, model: type[M], params: dict[str, Any]) -> AsyncIterator[M]:
        cursor: str | None = None
        while True:
            response = await self._request(
                "GET", path, params={**params, **({"cursor": cursor} if cursor else {})}
            )
            body = response.json()
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise MalformedResponse(
                    f"finance: {path} page has no data array", system=self.system
                )
            for record in body["data"]:
                yield self._model(model, response, record)
            cursor = body.get("next_cursor")
            if not cursor:
                return

    # --- accounts ---------------------------------------------------------------------------

    @action("finance.list_accounts", effect="read")
    def list_accounts(self, *, page_size: int = 50) -> AsyncIterator[Account]:
        """Every student account of the bursar."""
        return self._pages("/api/accounts", Account, {"limit": page_size})

    @action("finance.get_account", effect="read")
    async def get_account(self, student_id: str) -> Account:
        """One student's account (``NotFound`` when the student has none)."""
        return self._model(Account, await self._request("GET", f"/api/accounts/{student_id}"))

    @action("finance.create_account", effect="write", key="idempotency_key")
    async def create_account(self, account: AccountCreate, *, idempotency_key: str) -> Account:
        """Create an account; a retry with the same key returns the same account, a
        different request for an existing student raises ``Conflict``."""
        response = await self._request(
            "POST",
            "/api/accounts",
            json=account.model_dump(mode="json", exclude_none=True),
            headers={"Idempotency-Key": idempotency_key},
        )
        return self._model(Account, response)

    @action("finance.update_account", effect="write", idempotent=True)
    async def update_account(self, student_id: str, update: AccountUpdate) -> Account:
        """Change an account's personal fields (name, email); its balance, holds and charges
        (the ledger) stay. ``NotFound`` when the student has none."""
        response = await self._request(
            "PATCH",
            f"/api/accounts/{student_id}",
            json=update.model_dump(mode="json", exclude_unset=True),
            headers={"Content-Type": "application/merge-patch+json"},
        )
        return self._model(Account, response)

    # --- holds and charges ----------------------------------------------------------------

    @action("finance.list_holds", effect="read")
    def list_holds(
        self, student_id: str, *, status: str | None = None, page_size: int = 50
    ) -> AsyncIterator[Hold]:
        """A student's holds, optionally only those of ``status``."""
        params: dict[str, Any] = {"limit": page_size, **({"status": status} if status else {})}
        return self._pages(f"/api/accounts/{student_id}/holds", Hold, params)

    @action("finance.place_hold", effect="write", key="idempotency_key")
    async def place_hold(self, student_id: str, hold: HoldCreate, *, idempotency_key: str) -> Hold:
        """Place a hold on a student's account; a retry with the same key places none more."""
        response = await self._request(
            "POST",
            f"/api/accounts/{student_id}/holds",
            json=hold.model_dump(mode="json", exclude_none=True),
            headers={"Idempotency-Key": idempotency_key},
        )
        return self._model(Hold, response)

    @action("finance.lift_hold", effect="destructive")
    async def lift_hold(self, student_id: str, hold_id: str) -> None:
        """Lift (delete) one hold of a student's account."""
        await self._request("DELETE", f"/api/accounts/{student_id}/holds/{hold_id}")

    @action("finance.post_charge", effect="write", key="idempotency_key")
    async def post_charge(
        self, student_id: str, charge: ChargeCreate, *, idempotency_key: str
    ) -> Charge:
        """Charge a student's account; a retry with the same key charges nothing more."""
        response = await self._request(
            "POST",
            f"/api/accounts/{student_id}/charges",
            json=charge.model_dump(mode="json", exclude_none=True),
            headers={"Idempotency-Key": idempotency_key},
        )
        return self._model(Charge, response)
