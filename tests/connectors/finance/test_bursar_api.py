"""The bursar REST connector against the emulator over real HTTP."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from connectors.errors import (
    AuthError,
    Conflict,
    MalformedResponse,
    NotFound,
    RateLimited,
    ServerError,
)
from connectors.finance.client import BursarClient
from connectors.finance.models import AccountCreate, AccountUpdate, ChargeCreate, HoldCreate
from tests.sandbox.control import MutableCredentials, injected_faults, rotated_credentials


async def test_accounts_paginate_by_cursor(bursar: BursarClient) -> None:
    ids = [a.student_id async for a in bursar.list_accounts(page_size=7)]
    assert len(ids) > 21 and ids == sorted(ids) and len(set(ids)) == len(ids)


async def test_create_account_is_idempotent_and_conflicts(bursar: BursarClient) -> None:
    new = AccountCreate(student_id="S900001", name="Noor Quist", email="noor@example.edu")
    first = await bursar.create_account(new, idempotency_key="acct-S900001")
    again = await bursar.create_account(new, idempotency_key="acct-S900001")
    assert first == again and first.balance == Decimal("0.00")
    with pytest.raises(Conflict) as conflict:
        await bursar.create_account(new, idempotency_key="another-key")
    assert conflict.value.status == 409 and "already exists" in conflict.value.message


async def test_holds_and_charges(bursar: BursarClient) -> None:
    before = await bursar.get_account("S100001")
    hold = await bursar.place_hold(
        "S100001", HoldCreate(hold_type="registration", reason="Unpaid"), idempotency_key="hold-1"
    )
    assert (
        await bursar.place_hold(
            "S100001",
            HoldCreate(hold_type="registration", reason="Unpaid"),
            idempotency_key="hold-1",
        )
    ).hold_id == hold.hold_id
    assert hold.hold_id in [h.hold_id async for h in bursar.list_holds("S100001", status="active")]
    await bursar.lift_hold("S100001", hold.hold_id)
    await bursar.lift_hold("S100001", hold.hold_id)  # lifting twice is fine
    assert hold.hold_id in [h.hold_id async for h in bursar.list_holds("S100001", status="lifted")]
    charge = ChargeCreate(amount=Decimal("12.50"), description="Lab fee")
    await bursar.post_charge("S100001", charge, idempotency_key="charge-1")
    await bursar.post_charge(
        "S100001", charge, idempotency_key="charge-1"
    )  # a retry, not a 2nd fee
    assert (await bursar.get_account("S100001")).balance == before.balance + Decimal("12.50")
    with pytest.raises(NotFound):
        await bursar.get_account("NOBODY")


async def test_an_accounts_personal_fields_change_and_its_ledger_stays(
    bursar: BursarClient, sandbox_url: str, bursar_credentials: MutableCredentials
) -> None:
    sid = f"S9{uuid.uuid4().hex[:8]}"
    await bursar.create_account(
        AccountCreate(student_id=sid, name="Ola Brandt", email="ola@example.edu"),
        idempotency_key=f"acct-{sid}",
    )
    await bursar.post_charge(
        sid, ChargeCreate(amount=Decimal("30.00"), description="Fee"), idempotency_key=f"c-{sid}"
    )
    hold = await bursar.place_hold(
        sid, HoldCreate(hold_type="library", reason="Lost book"), idempotency_key=f"h-{sid}"
    )
    changed = await bursar.update_account(sid, AccountUpdate(name="Erased person"))
    assert (changed.name, changed.email) == ("Erased person", "ola@example.edu")  # merge patch
    cleared = await bursar.update_account(sid, AccountUpdate(email=None))
    assert (cleared.name, cleared.email, cleared.balance) == ("Erased person", None, Decimal("30"))
    assert [h.hold_id async for h in bursar.list_holds(sid, status="active")] == [hold.hold_id]
    with pytest.raises(NotFound):
        await bursar.update_account("NOBODY", AccountUpdate(name="X"))
    headers = {"Authorization": f"Bearer {bursar_credentials.values['api_key']}"}
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/finance", headers=headers) as http:
        for body, pointer in (({"name": None}, "#/name"), ({"balance": "0"}, "#/balance")):
            bad = await http.patch(f"/api/accounts/{sid}", json=body)
            assert bad.status_code == 422 and pointer in {
                e["pointer"] for e in bad.json()["errors"]
            }
    assert (await bursar.get_account(sid)).balance == Decimal("30.00")


async def test_auth_failure_and_rotation(
    sandbox_url: str, bursar: BursarClient, bursar_credentials: MutableCredentials
) -> None:
    await bursar.get_account("S100001")
    async with rotated_credentials(sandbox_url, "finance", api_key="bursar_rotated") as new:
        with pytest.raises(AuthError) as denied:
            await bursar.get_account("S100001")
        assert denied.value.status == 401
        bursar_credentials.values = dict(new)
        assert (await bursar.get_account("S100001")).student_id == "S100001"


async def test_rate_limit_5xx_timeout_and_malformed(sandbox_url: str, bursar: BursarClient) -> None:
    async with injected_faults(sandbox_url, "finance", rate_limit_per_second=1.0):
        await bursar.get_account("S100001")
        with pytest.raises(RateLimited):
            await bursar.get_account("S100001")
        await bursar.get_account("S100001")  # waits for Retry-After instead of hitting 429 again
    async with injected_faults(sandbox_url, "finance", error_rate=1.0):
        with pytest.raises(ServerError):
            await bursar.get_account("S100001")
    async with injected_faults(sandbox_url, "finance", malformed_rate=1.0):
        with pytest.raises(MalformedResponse, match="balance"):
            await bursar.get_account("S100001")
    async with (
        BursarClient(f"{sandbox_url}/finance", bursar._credentials, timeout=0.3) as impatient,
        injected_faults(sandbox_url, "finance", timeout_rate=1.0, timeout_seconds=1.0),
    ):
        with pytest.raises(ServerError, match="timeout"):
            await impatient.get_account("S100001")


async def test_problem_details_on_bad_input(
    sandbox_url: str, bursar_credentials: MutableCredentials
) -> None:
    headers = {"Authorization": f"Bearer {bursar_credentials.values['api_key']}"}
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/finance", headers=headers) as http:
        bad = await http.post(
            "/api/accounts/S100001/charges", json={"amount": "-1", "description": ""}
        )
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        assert {e["pointer"] for e in bad.json()["errors"]} == {"#/amount", "#/description"}
        key = {"Idempotency-Key": "acct-S900002"}
        first = await http.post(
            "/api/accounts", json={"student_id": "S900002", "name": "A"}, headers=key
        )
        replay = await http.post(
            "/api/accounts", json={"student_id": "S900002", "name": "A"}, headers=key
        )
        reused = await http.post(
            "/api/accounts", json={"student_id": "S900003", "name": "B"}, headers=key
        )
        assert (first.status_code, replay.status_code, reused.status_code) == (201, 201, 422)
        assert (
            replay.headers["Idempotency-Replayed"] == "true"
            and "Idempotency-Replayed" not in first.headers
        )
        anonymous = await http.get("/api/accounts/S100001", headers={"Authorization": ""})
        assert anonymous.status_code == 401 and anonymous.json()["type"].endswith("/unauthorized")
