"""Property-based fuzzing of every operation in the OpenAPI document (schemathesis), as an
administrator: no 5xx, and every answer matches the documented status codes, content types and
schemas.

It runs against an API of its own (own database, own task queue with no worker polling it), so
users, keys and runs the fuzzer creates or deletes touch no other test, and nothing it registers
(subscriber URLs...) is ever acted on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

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
