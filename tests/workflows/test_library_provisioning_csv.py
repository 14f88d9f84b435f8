"""Library patron provisioning from a SIS that sends OneRoster CSV packages: the same process,
reading the newest processed package through the CSV source instead of the REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.sync import packages
from connectors.credentials import static_credentials
from connectors.koha import KohaClient
from connectors.oneroster.package_source import read_package, sha256_of
from sandbox.context import SystemContext
from sandbox.oneroster.bulk_csv import build_zip
from sandbox.oneroster.runtime import Runtime
from tests.sandbox.control import credentials_of
from tests.workflows.conftest import Campus
from tests.workflows.csv_drop_env import register_upload_source, remove_integrations
from tests.workflows.test_library_provisioning import LAST_TERM_END, SCHOOL, _run
from workflows.library_provisioning import LibraryProvisioningInput


@pytest.fixture
async def csv_sis(
    campus: Campus, sandbox_dir: Path, engine: Engine, credentials: Credentials
) -> AsyncIterator[tuple[str, dict[str, list[dict[str, object]]]]]:
    """A CSV source whose newest processed package is the session sandbox SIS's export now."""
    source = register_upload_source(engine, f"{campus.sandbox_url}/oneroster")
    sis = SystemContext(name="oneroster", data_dir=sandbox_dir, seed=42, size="demo")
    data = build_zip(Runtime(ctx=sis, prefix="/oneroster"), None)
    contents = read_package(data)
    package, _ = packages.receive(
        engine,
        source=source,
        name="oneroster.zip",
        sha256=sha256_of(data),
        origin="upload",
        size=len(data),
    )
    assert package.id is not None and contents.usable
    packages.stage(
        engine,
        package.id,
        mode=contents.mode,
        records=contents.records,
        problems=contents.problems,
        usable=True,
    )
    packages.finish(engine, package.id, "processed")
    yield source, contents.records  # type: ignore[misc]
    await remove_integrations(engine, credentials, [source])


async def test_patrons_are_provisioned_from_the_newest_package(
    campus: Campus,
    csv_sis: tuple[str, dict[str, list[dict[str, object]]]],
    temporal_client: Client,
    worker: Worker,
) -> None:
    source, records = csv_sis
    in_school = [
        u
        for u in records["users"]
        if u.get("role") in ("student", "teacher")
        and any(r["org"]["sourcedId"] == SCHOOL for r in u["roles"])  # type: ignore[attr-defined, index]
    ]
    input = LibraryProvisioningInput(sis=source, library=campus.library, school=SCHOOL)
    result = await _run(temporal_client, worker, input)
    assert result.expiry == LAST_TERM_END and result.failed == {} and result.skipped == []
    assert result.seen == len(in_school) > 100
    assert result.created + result.updated + result.unchanged == result.seen
    student = next(u for u in in_school if u["role"] == "student")
    async with KohaClient(
        f"{campus.sandbox_url}/koha",
        static_credentials(await credentials_of(campus.sandbox_url, "koha")),
    ) as koha:
        patron = await koha.find_patron_by_cardnumber(str(student["identifier"]))
    assert patron is not None
    assert (patron.category_id, patron.expiry_date) == ("ST", LAST_TERM_END)
