"""Finding 2, fuzzed: every operation that takes a body, with schemathesis' generated bodies sent
with ``Transfer-Encoding: chunked`` (no Content-Length, the shape of the memory attack), once as
generated and once padded past ATRIUM_API__MAX_BODY_BYTES. No 5xx, and every answer (413
included) as the OpenAPI document says.

Like tests/api/test_openapi_fuzz.py it runs against an API of its own (own database, own task
queue that no worker polls), so nothing it creates touches another test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NotSet

from api.main import create_app
from api.routes import roster_packages
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.settings import DatabaseSettings, Settings
from tests.support.auth import login, make_user
from tests.support.servers import serve

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
LIMIT = 64 * 1024  # a small limit, so padding past it stays quick
CHUNK = 4096


@pytest.fixture(scope="module")
def fuzzed_api(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz-chunked') / 'fuzz.db'}"
    upgrade(url)
    engine = make_engine(url)
    own = settings.model_copy(
        update={
            "database": DatabaseSettings(url=url),
            "temporal": settings.temporal.model_copy(
                update={"task_queue": f"fuzz-chunked-{uuid.uuid4().hex[:8]}"}
            ),
            "api": settings.api.model_copy(update={"max_body_bytes": LIMIT}),
        }
    )
    with serve(create_app(own)) as base:
        yield base, login(base, make_user(engine, "administrator"))
    engine.dispose()


def chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def send_chunked(case: schemathesis.Case, base: str, token: str, pad: int) -> httpx.Response:
    """The case's request as schemathesis serialises it, its body streamed in chunks (plus
    ``pad`` bytes of JSON whitespace or empty form fields after it)."""
    kwargs = case.as_transport_kwargs(base_url=base, headers={"Authorization": f"Bearer {token}"})
    kwargs.pop("cookies", None)
    prepared = requests.Request(**kwargs).prepare()  # the body exactly as it would be sent
    raw = prepared.body or b""
    assert isinstance(raw, str | bytes), "schemathesis bodies are serialised in full"
    body = raw.encode() if isinstance(raw, str) else raw
    content_type = prepared.headers.get("Content-Type", "")
    if pad:
        body += (b" " if "json" in content_type else b"&") * pad
    headers = {
        k: v if isinstance(v, str) else v.decode("latin-1")
        for k, v in prepared.headers.items()
        if k.lower() != "content-length"
    }
    method, url = prepared.method or "POST", prepared.url or base
    answer = httpx.request(
        method,
        url,
        headers=headers,
        content=chunks(body),  # an iterator: httpx sends Transfer-Encoding: chunked
        timeout=30,
    )
    assert answer.request.headers.get("transfer-encoding") == "chunked"
    # schemathesis reads the request back when it reports; a streamed one cannot be re-read.
    answer.request = httpx.Request(method, url, headers=headers, content=body)
    return answer


def test_chunked_bodies_answer_as_documented(fuzzed_api: tuple[str, str]) -> None:
    base, token = fuzzed_api
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    failures, fuzzed, refused = [], 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if operation.method.upper() not in ("POST", "PUT", "PATCH") or not operation.body:
            continue

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=3,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case: schemathesis.Case) -> None:
            nonlocal refused
            if isinstance(case.body, NotSet):
                return
            case.validate_response(send_chunked(case, base, token, 0), checks=CHECKS)
            oversized = send_chunked(case, base, token, LIMIT + 1)
            case.validate_response(oversized, checks=CHECKS)
            if case.path == roster_packages.PATH:  # its own, larger limit (an upload): past
                return  # the common one it is read and judged as a package (no 5xx, checked)
            assert oversized.status_code in (401, 413), oversized.status_code
            refused += oversized.status_code == 413

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
        fuzzed += 1
    assert not failures, "\n\n".join(failures)
    assert fuzzed > 10 and refused > 10
