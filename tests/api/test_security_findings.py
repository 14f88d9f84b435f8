"""GET /api/v1/security/findings: the assessment over HTTP, for administrators and auditors only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from atrium.models import Integration
from tests.conftest import ClientFor

PATH = "/api/v1/security/findings"


@pytest.fixture
def plain_http_integration(engine: Engine) -> Iterator[str]:
    name = f"sec-{uuid.uuid4().hex[:8]}"
    site = {"name": name, "system": "generic", "base_url": "http://library.school.example"}
    row = Integration.model_validate(site)
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
    yield name
    with Session(engine) as session:
        found = session.get(Integration, row.id)
        if found is not None:
            session.delete(found)
            session.commit()


@pytest.mark.parametrize("role", ["administrator", "auditor"])
async def test_findings_with_their_fix(
    client_for: ClientFor, plain_http_integration: str, role: str
) -> None:
    client = await client_for(role)
    answer = await client.get(PATH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    ours = [f for f in body["items"] if f["subject"] == f"integration {plain_http_integration!r}"]
    assert ours == [
        {
            "severity": "high",
            "kind": "integration.plain_http",
            "subject": f"integration {plain_http_integration!r}",
            "detail": "base URL http://library.school.example is plain http to another host: its "
            "credentials and students' records cross the network unencrypted",
            "fix": "change the base URL to https:// (PATCH /api/v1/integrations/"
            f"{plain_http_integration}) once the system serves TLS",
        }
    ]
    assert set(body["counts"]) == {"high", "medium", "low", "info"}
    assert body["counts"]["high"] == sum(f["severity"] == "high" for f in body["items"]) >= 1
    order = ["high", "medium", "low", "info"]
    ranks = [order.index(f["severity"]) for f in body["items"]]
    assert ranks == sorted(ranks)  # most urgent first


@pytest.mark.parametrize("role", ["leader", "secretary", "process_designer", "student"])
async def test_other_roles_are_refused(client_for: ClientFor, role: str) -> None:
    answer = await (await client_for(role)).get(PATH)
    assert answer.status_code == 403
    assert "security:read" in answer.text


async def test_anonymous_is_refused(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as client:
        assert (await client.get(PATH)).status_code == 401
