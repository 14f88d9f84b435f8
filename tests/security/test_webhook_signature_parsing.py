"""Finding 4: malformed signature headers on the public webhook routes answered 500 (``t=²``,
a 400- or 5000-digit ``t``, ``v1=éé``). Over real HTTP, every malformed header now gets 400
naming the header, a missing, forged or stale one 401, never a 5xx, and each attempt is in the
delivery log without the header's value or any secret."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from atrium.credentials import Credentials
from atrium.signatures import sign_headers
from atrium.webhook_secrets import WebhookSecrets, vendor_key
from tests.api.webhook_support import (
    PROCTOR,
    make_source,
    person_event,
    proctoring_integration,
    session_completed,
)

HEX = "0a" * 32

# (header value as sent on the wire, expected status)
MALFORMED: list[tuple[bytes, int]] = [
    ("t=²,v1=00".encode(), 400),  # int() raised ValueError
    (f"t=²,v1={HEX}".encode(), 400),
    (f"t={'9' * 5000},v1={HEX}".encode(), 400),  # over the header bound
    (f"t={'9' * 400},v1={HEX}".encode(), 400),  # float(now - t) raised OverflowError
    (f"t={'9' * 13},v1={HEX}".encode(), 400),
    ("t=1700000000,v1=éé".encode(), 400),  # compare_digest raised TypeError
    (f"t=1700000000,v1={'é' * 32}".encode(), 400),
    ("t=١٧٠٠٠٠٠٠٠٠,v1=00".encode(), 400),  # Arabic-Indic digits that int() would accept
    (b"t=1700000000,v1=", 400),  # empty v1
    (b"t=1700000000", 400),
    (f"v1={HEX}".encode(), 400),
    (f"t=1700000000,{','.join([f'v1={HEX}'] * 40)}".encode(), 400),  # many v1 entries
    (f"t=1700000000,v1={HEX.upper()}".encode(), 400),
    (f"t=1,t=2,v1={HEX}".encode(), 400),
    (b"t=1700000000" + b" ," * 300 + f"v1={HEX}".encode(), 400),  # over-long header
    (f"t=1700000000,v1={HEX[:32]}\t{HEX[32:]}".encode(), 400),  # a control character
    (b"garbage", 400),
    (f"t=1700000000,v1={HEX}".encode(), 401),  # well formed, forged
]


async def logged(api: httpx.AsyncClient, source: str, count: int) -> list[dict[str, Any]]:
    for _ in range(100):
        rows = (await api.get("/api/v1/webhooks/deliveries", params={"source": source})).json()
        if len(rows) >= count:
            return rows  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"{source}: {count} deliveries expected, {len(rows)} logged")


async def attack(api: httpx.AsyncClient, url: str, header: str, body: bytes) -> list[int]:
    statuses = []
    for value, expected in MALFORMED:
        answer = await api.post(
            url,
            content=body,
            headers={b"Content-Type": b"application/json", header.encode(): value},
        )
        assert answer.status_code == expected, (value[:80], answer.status_code, answer.text)
        assert answer.headers.get("content-type") == "application/json", (value[:40], answer.text)
        error = answer.json()
        assert error["header"] == header and header in error["error"], error
        statuses.append(answer.status_code)
    return statuses


def assert_nothing_secret(rows: list[dict[str, Any]], *secrets: str) -> None:
    text = json.dumps(rows)
    for secret in secrets:
        assert secret not in text
    assert "9999999999999" not in text and HEX not in text  # no header value quoted


async def test_source_route_answers_400_or_401_and_logs_every_attempt(
    api: httpx.AsyncClient,
) -> None:
    source, secret = await make_source(api)
    body = json.dumps(person_event()).encode()
    try:
        statuses = await attack(api, f"/api/v1/webhooks/{source}", "Atrium-Signature", body)
        # Both header layouts: the GitHub one with a bad timestamp header.
        github = await api.post(
            f"/api/v1/webhooks/{source}",
            content=body,
            headers={
                b"X-Hub-Signature-256": f"sha256={HEX}".encode(),
                b"X-Atrium-Timestamp": "²".encode(),
            },
        )
        assert github.status_code == 401  # this source signs with Atrium-Signature: unsigned
        twice = await api.post(
            f"/api/v1/webhooks/{source}",
            content=body,
            headers=[("Atrium-Signature", f"t=1,v1={HEX}")] * 2,
        )
        assert twice.status_code == 400 and twice.json()["header"] == "Atrium-Signature"
        rows = await logged(api, source, len(statuses) + 2)
        assert sorted(r["status_code"] for r in rows) == sorted([*statuses, 401, 400])
        assert {r["outcome"] for r in rows} == {"rejected"}
        assert all("Atrium-Signature" in r["reason"] for r in rows if r["status_code"] == 400)
        assert_nothing_secret(rows, secret)
    finally:
        await api.delete(f"/api/v1/webhooks/sources/{source}")


@pytest.fixture
async def subscribed_proctoring(
    engine: Engine, credentials: Credentials, sandbox_url: str
) -> AsyncIterator[tuple[str, str]]:
    """A proctoring integration holding a webhook signing secret (as a run's subscription
    leaves it): its name and the secret."""
    async with proctoring_integration(engine, credentials, sandbox_url) as name:
        secret = "whsec_" + "ab" * 24
        key = vendor_key("proctoring", name)
        await WebhookSecrets(credentials).store(key, {"secret": secret, "webhook_id": "we_x"})
        yield name, secret


async def test_proctoring_route_answers_400_or_401_and_logs_every_attempt(
    api: httpx.AsyncClient, subscribed_proctoring: tuple[str, str]
) -> None:
    integration, secret = subscribed_proctoring
    url = f"/api/v1/webhooks/proctoring/{integration}"
    body = json.dumps(session_completed("exm_nothing", "S1")).encode()
    statuses = await attack(api, url, "X-Proctor-Signature", body)
    unsigned = await api.post(url, content=body)
    assert unsigned.status_code == 401 and "X-Proctor-Signature" in unsigned.json()["error"]
    stale_at = int(time.time()) - 3600
    stale = await api.post(url, content=body, headers=sign_headers(secret, stale_at, body, PROCTOR))
    assert stale.status_code == 401 and "replay window" in stale.json()["error"]
    # The same secret in another vendor's header layout is not the vendor's signature.
    wrong_header = await api.post(url, content=body, headers=sign_headers(secret, 1, body))
    assert wrong_header.status_code == 401
    good = await api.post(
        url, content=body, headers=sign_headers(secret, int(time.time()), body, PROCTOR)
    )
    assert good.status_code == 200 and good.json()["status"] == "ignored", good.text
    rows = await logged(api, f"proctoring/{integration}", len(statuses) + 4)
    assert sorted(r["status_code"] for r in rows) == sorted([*statuses, 401, 401, 401, 200])
    assert [r["outcome"] for r in rows].count("rejected") == len(statuses) + 3
    assert_nothing_secret(rows, secret)
