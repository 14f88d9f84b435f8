"""Property-based fuzzing of every operation in the OpenAPI document (schemathesis), as an
administrator: no 5xx, and every answer matches the documented status codes, content types and
schemas. A second pass takes generated cases to the extremes the schema does not stop a client
from sending (integers past 2^63 in every parameter and body field, JSON nested 900 levels deep
in every body field): still no 5xx.

It runs against an API of its own (own database, own task queue with no worker polling it), so
users, keys and runs the fuzzer creates or deletes touch no other test, and nothing it registers
(subscriber URLs...) is ever acted on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
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

from api.main import create_app
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


@pytest.fixture(scope="module")
def fuzzed_api(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    upgrade(url)
    engine = make_engine(url)
    own = settings.model_copy(
        update={
            "database": DatabaseSettings(url=url),
            "temporal": settings.temporal.model_copy(
                update={"task_queue": f"fuzz-{uuid.uuid4().hex[:8]}"}
            ),
        }
    )
    with serve(create_app(own)) as base:
        yield base, login(base, make_user(engine, "administrator"))
    engine.dispose()


def test_every_operation_answers_as_documented(fuzzed_api: tuple[str, str]) -> None:
    # schemathesis' pytest plugin does not support this pytest yet: drive hypothesis directly
    # with each operation's strategy (the documented "as_strategy" route).
    base, token = fuzzed_api
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    failures, fuzzed = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema raises here
        if operation.path == "/api/v1/events/stream":
            continue  # an endless Server-Sent-Events stream: covered by the events tests

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=5,
            deadline=None,
            derandomize=True,  # the same cases every run: a failure here is reproducible
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=base,
                headers={"Authorization": f"Bearer {token}"},
                checks=CHECKS,
                timeout=15,
            )

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's findings, not the first
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
        fuzzed += 1
    assert fuzzed > 20
    assert not failures, "\n\n".join(failures)


HUGE_INTEGERS = (2**63, -(2**63) - 1, 10**40)
DEEP = 900


def _nested(levels: int) -> dict[str, Any]:
    value: Any = 0
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[no-any-return]


def _extremes(case: schemathesis.Case) -> Iterator[tuple[str, dict[str, Any]]]:
    """Variants of a generated case: each parameter and each top-level body field in turn set to
    a huge integer, each body field (and the whole body) set to deeply nested JSON."""
    declared = {
        ("path_parameters" if p.location == "path" else "query", p.name)
        for p in case.operation.iter_parameters()
        if p.location in ("path", "query")
    }  # every parameter, also the optional ones this case left out
    for location, name in sorted(declared):
        for number in HUGE_INTEGERS:
            yield f"{location}.{name}={number}", {location: {name: number}}
    body = case.body
    if isinstance(body, dict):
        for name in body:
            yield f"body.{name}=deep", {"body": body | {name: _nested(DEEP)}}
            for number in HUGE_INTEGERS[::2]:
                yield f"body.{name}={number}", {"body": body | {name: number}}
    if case.media_type == "application/json":
        yield "body=deep", {"body": _nested(DEEP)}


def test_huge_integers_and_deep_nesting_never_answer_5xx(fuzzed_api: tuple[str, str]) -> None:
    base, token = fuzzed_api
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    sent = 0
    with httpx.Client(base_url=base, headers=headers, timeout=15) as http:
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]
            if operation.path == "/api/v1/events/stream":
                continue

            @given(case=operation.as_strategy())
            @hypothesis_settings(
                max_examples=2,
                deadline=None,
                derandomize=True,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def extremes(case: schemathesis.Case) -> None:
                nonlocal sent
                for label, change in _extremes(case):
                    path = dict(case.path_parameters or {}) | change.get("path_parameters", {})
                    query = dict(case.query or {}) | change.get("query", {})
                    body = change.get("body", case.body)
                    quoted = {k: quote(str(v), safe="") for k, v in path.items()}
                    url = case.operation.path.format(**quoted)
                    json_body = body if case.media_type == "application/json" else None
                    try:
                        answer = http.request(case.method, url, params=query, json=json_body)
                    except httpx.HTTPError as exc:  # the server dropped the connection
                        failures.append(f"{case.operation.label} {label}: {exc!r}")
                        continue
                    sent += 1
                    if answer.status_code >= 500:
                        failures.append(
                            f"{case.operation.label} {label}: "
                            f"{answer.status_code} {answer.text[:300]}"
                        )

            extremes()
    assert sent > 200
    assert not failures, "\n".join(failures)
