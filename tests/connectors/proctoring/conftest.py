from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request, Response

from connectors.proctoring import ProctoringClient
from tests.sandbox.control import MutableCredentials, credentials_of
from tests.support.servers import serve


@dataclass
class Receiver:
    """An HTTP endpoint that keeps every webhook it gets (raw body and headers)."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[Receiver]:
    app = FastAPI()
    receiver = Receiver(url="")

    @app.post("/hooks/proctoring")
    async def hook(request: Request) -> Response:
        receiver.received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    with serve(app) as url:
        receiver.url = f"{url}/hooks/proctoring"
        yield receiver


@pytest.fixture
async def proctoring_credentials(sandbox_url: str) -> MutableCredentials:
    return MutableCredentials(await credentials_of(sandbox_url, "proctoring"))


@pytest.fixture
async def proctoring(
    sandbox_url: str, proctoring_credentials: MutableCredentials
) -> AsyncIterator[ProctoringClient]:
    async with ProctoringClient(
        f"{sandbox_url}/proctoring", proctoring_credentials, timeout=5.0
    ) as client:
        yield client
