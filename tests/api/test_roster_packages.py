"""Uploading a OneRoster CSV package: role-checked, bounded, validated field by field, processed
once (the same package again starts nothing), synced into the LMS by a roster-csv-import run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from temporalio.client import Client

from api.middleware import BodyTooLarge, RequestContext
from atrium.credentials import Credentials
from sandbox.oneroster.bulk_csv import build_zip
from sandbox.oneroster.runtime import Runtime
from tests.support.servers import serve
from tests.workflows.csv_drop_env import register_upload_source, remove_integrations
from tests.workflows.sync_env import SyncSandbox, register, start_sandbox
from workflows.roster_csv_import import RosterCsvImportResult

URL = "/api/v1/roster-packages"


@dataclass
class Upload:
    source: str
    canvas: str
    package: bytes

    def form(self, **overrides: str) -> dict[str, str]:
        targets = json.dumps([{"integration": self.canvas, "target_system": "canvas"}])
        return {"source": self.source, "targets": targets, **overrides}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("upload-sandbox"))


@pytest.fixture(scope="module")
async def upload(
    sandbox: SyncSandbox, engine: Engine, credentials: Credentials
) -> AsyncIterator[Upload]:
    source = register_upload_source(engine, sandbox.base("oneroster"))
    canvas = await register(engine, credentials, sandbox, "canvas")
    sis = sandbox.contexts["oneroster"]
    package = build_zip(Runtime(ctx=sis, prefix="/oneroster"), None)
    yield Upload(source, canvas, package)
    await remove_integrations(engine, credentials, [source, canvas])


async def test_an_uploaded_package_is_synced_once(
    api: httpx.AsyncClient, upload: Upload, temporal_client: Client
) -> None:
    files = {"package": ("oneroster-upload.zip", upload.package, "application/zip")}
    sent = await api.post(URL, data=upload.form(), files=files)
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert body["duplicate"] is False and body["package"]["origin"] == "upload"
    handle = temporal_client.get_workflow_handle(
        body["workflow_id"], result_type=RosterCsvImportResult
    )
    result = await handle.result()
    [outcome] = result.packages
    assert outcome.outcome == "processed"
    totals: dict[str, dict[str, int]] = outcome.syncs[upload.canvas]["totals"]  # type: ignore[assignment]
    assert totals["users"]["created"] == 314 and totals["enrollments"]["created"] == 1560
    package_id = body["package"]["id"]
    stored = (await api.get(f"{URL}/{package_id}")).json()
    assert stored["status"] == "processed" and stored["counts"]["users"] == 314
    listed = await api.get(URL, params={"source": upload.source})
    assert [p["id"] for p in listed.json()] == [package_id]
    assert listed.headers["X-Total-Count"] == "1"

    again = await api.post(URL, data=upload.form(), files=files)
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True and again.json()["workflow_id"] is None
    assert again.json()["package"]["id"] == package_id


async def test_bad_uploads_get_a_4xx_naming_the_field(
    api: httpx.AsyncClient, upload: Upload, client_for: object
) -> None:
    good = {"package": ("p.zip", upload.package, "application/zip")}

    async def error(status: int, **kwargs: object) -> str:
        answer = await api.post(URL, **kwargs)  # type: ignore[arg-type]
        assert answer.status_code == status, answer.text
        return str(answer.json()["error"])

    assert (await error(422, data={"targets": "[]"}, files=good)).startswith("source:")
    assert "source:" in await error(
        422, data=upload.form(source=upload.canvas), files=good
    )  # an LMS is not a CSV source
    assert "targets:" in await error(422, data=upload.form(targets="[{}]"), files=good)
    assert "targets:" in await error(422, data=upload.form(targets="not json"), files=good)
    assert "body:" in await error(422, data=upload.form())  # a form without a file part
    other = {"attachment": ("p.zip", upload.package, "application/zip")}
    assert "package:" in await error(422, data=upload.form(), files=other)
    named = {"package": ("../../etc/passwd", b"x", "application/zip")}
    assert "package:" in await error(422, data=upload.form(), files=named)
    empty = {"package": ("empty.zip", b"", "application/zip")}
    assert "package:" in await error(422, data=upload.form(), files=empty)
    assert "body:" in await error(422, json={"source": upload.source})
    professor = await client_for("professor")  # type: ignore[operator]
    refused = await professor.post(URL, data=upload.form(), files=good)
    assert refused.status_code == 403 and "runs:start" in refused.json()["error"]


async def test_a_declared_oversized_upload_is_refused_before_it_is_read(api_url: str) -> None:
    address = urlsplit(api_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(
        f"POST {URL} HTTP/1.1\r\nHost: {address.netloc}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        "Content-Length: 999999999999\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert b" 413 " in status_line


def test_a_body_without_a_length_is_cut_off_at_the_limit() -> None:
    """Chunked bodies declare no length: the bytes read are counted instead."""

    async def read(request: Request) -> JSONResponse:
        try:
            form = await request.form()
        except BodyTooLarge:
            return JSONResponse({"error": "too large"}, status_code=413)
        await form.close()
        return JSONResponse({"ok": True})

    app = RequestContext(
        Starlette(routes=[Route("/up", read, methods=["POST"])]), 10**6, {"/up": 64}
    )

    def chunks(total: int) -> Iterator[bytes]:
        body = (
            b"--x\r\nContent-Disposition: form-data; name=f\r\n\r\n"
            + b"a" * total
            + b"\r\n--x--\r\n"
        )
        for start in range(0, len(body), 16):
            yield body[start : start + 16]

    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    with serve(app) as url:  # type: ignore[arg-type]
        small = httpx.post(f"{url}/up", content=chunks(4), headers=headers)
        large = httpx.post(f"{url}/up", content=chunks(500), headers=headers)
    assert small.status_code == 200 and large.status_code == 413
