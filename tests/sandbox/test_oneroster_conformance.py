"""The OneRoster emulator held to 1EdTech's published OneRoster 1.2 OpenAPI (rostering, gradebook
and resources services), with schemathesis: every operation is served, answers a valid request
with its documented success, and answers generated requests with documented status codes, content
types, headers and bodies the published schemas accept, never a 5xx.

It runs against an emulator of its own (same seed and size as the sandbox, own data folder): the
fuzzer PUTs, POSTs and DELETEs, and none of that may touch the shared sandbox other tests read.
See ``oneroster_spec.py`` for how the published files are loaded (and the two quirks left alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sandbox.app import mount_system
from sandbox.context import SystemContext
from sandbox.oneroster.app import create_app
from tests.sandbox.oneroster_spec import (
    OPERATIONS_IN_ALL,
    SERVICES,
    base_url,
    load,
    record,
    valid_request,
)
from tests.support.servers import serve

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SUCCESS = {"GET": 200, "PUT": 201, "POST": 201, "DELETE": 204}
WRITABLE = (  # (collection, member of a single-record body), references before referrers
    ("categories", "category"),
    ("scoreScales", "scoreScale"),
    ("lineItems", "lineItem"),
    ("results", "result"),
    ("assessmentLineItems", "assessmentLineItem"),
    ("assessmentResults", "assessmentResult"),
)
EXAMPLES = 6  # per operation and strategy: ~900 requests, the module takes ~1 min on 2 busy cores


class Emulator:
    def __init__(self, url: str, token: str, student: str) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.student = student  # a student of cls-000001 with a result for li-0000001


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    ctx = SystemContext(name="oneroster", data_dir=Path(tmp_path_factory.mktemp("or-spec")))
    app = FastAPI()
    mount_system(app, "oneroster", create_app(ctx))  # mounted exactly as in the sandbox
    with serve(app) as url:
        auth = (ctx.credentials["client_id"], ctx.credentials["client_secret"])
        token = httpx.post(
            f"{url}/oneroster/oauth/token", data={"grant_type": "client_credentials"}, auth=auth
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        results = httpx.get(
            f"{base_url(url, 'gradebook')}/classes/cls-000001/lineItems/li-0000001/results",
            headers=headers,
            params={"limit": 1},
        ).json()["results"]
        emulator = Emulator(url, token, results[0]["student"]["sourcedId"])
        _seed_deletables(emulator)
        yield emulator


def _seed_deletables(emulator: Emulator) -> None:
    """One record per writable collection for the DELETE operations to remove."""
    gradebook = base_url(emulator.url, "gradebook")
    for collection, key in WRITABLE:
        sid = f"conformance-delete-{collection}"
        body = {key: record(collection, sid, emulator.student)}
        answer = httpx.put(f"{gradebook}/{collection}/{sid}", json=body, headers=emulator.headers)
        assert answer.status_code == 201, answer.text


def _operations(service: str) -> list[schemathesis.APIOperation]:
    return [result.ok() for result in load(service).get_all_operations()]  # type: ignore[union-attr]


def test_the_published_files_hold_81_operations() -> None:
    assert sum(len(_operations(service)) for service in SERVICES) == OPERATIONS_IN_ALL


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_operation_is_served(emulator: Emulator, service: str) -> None:
    """A valid request gets the documented success (so no 404/405), and its answer conforms;
    the same request without a token is an imsx 401."""
    wrong = []
    for operation in _operations(service):
        request = valid_request(operation.method.upper(), operation.path, emulator.student)
        body = {} if request.body is None else {"body": request.body}
        case = operation.Case(path_parameters=request.path_parameters, **body)
        try:
            response = case.call_and_validate(
                base_url=base_url(emulator.url, service),
                headers=emulator.headers,
                checks=CHECKS,
                timeout=15,
            )
        except (Exception, BaseExceptionGroup) as exc:
            wrong.append(f"{operation.label}: {str(exc)[:1500]}")
            continue
        if response.status_code != SUCCESS[operation.method.upper()]:
            wrong.append(f"{operation.label}: {response.status_code} {response.text[:300]}")
        anonymous = case.call_and_validate(
            base_url=base_url(emulator.url, service), checks=CHECKS, timeout=15
        )
        if anonymous.status_code != 401 or "imsx_codeMajor" not in anonymous.json():
            wrong.append(f"{operation.label} without a token: {anonymous.status_code}")
    assert not wrong, "\n\n".join(wrong)


@pytest.mark.parametrize("service", list(SERVICES))
def test_generated_requests_conform(emulator: Emulator, service: str) -> None:
    """schemathesis' generated requests, once with free path parameters (mostly unknown ids:
    the imsx 404s) and once with existing ones (the answers with data, filtered, sorted, paged
    and field-selected as generated)."""
    failures = []
    for operation in _operations(service):
        request = valid_request(operation.method.upper(), operation.path, emulator.student)
        strategies = [operation.as_strategy()]
        if request.path_parameters:
            strategies.append(operation.as_strategy(path_parameters=request.path_parameters))
        for strategy in strategies:

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,  # the same cases every run: a failure here is reproducible
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    base_url=base_url(emulator.url, service),
                    headers=emulator.headers,
                    checks=CHECKS,
                    timeout=15,
                )

            try:
                fuzz()
            except (Exception, BaseExceptionGroup) as exc:  # every operation's, not the first
                failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)


def test_written_records_read_back_as_the_schema_requires(emulator: Emulator) -> None:
    """What a client PUT (learning objectives, flags, nested refs) is answered schema-valid."""
    schema = load("gradebook")
    gradebook = base_url(emulator.url, "gradebook")
    wrong = []
    for collection, key in WRITABLE:
        sid = f"conformance-readback-{collection}"
        body = {key: record(collection, sid, emulator.student)}
        put = httpx.put(f"{gradebook}/{collection}/{sid}", json=body, headers=emulator.headers)
        assert put.status_code == 201, put.text
        case = schema[f"/{collection}/{{sourcedId}}"]["GET"].Case(
            path_parameters={"sourcedId": sid}
        )
        try:
            answer = case.call_and_validate(
                base_url=gradebook, headers=emulator.headers, checks=CHECKS, timeout=15
            )
            assert answer.json()[key]["sourcedId"] == sid
        except (Exception, BaseExceptionGroup) as exc:
            wrong.append(f"{collection}: {str(exc)[:1500]}")
    assert not wrong, "\n\n".join(wrong)
