"""Session-wide fixtures: real servers, started once for the whole test run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.app import create_app as create_sandbox
from tests.support.servers import serve


@pytest.fixture(scope="session")
def sandbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox")


@pytest.fixture(scope="session")
def sandbox_url(sandbox_dir: Path) -> Iterator[str]:
    """The sandbox institution (every emulated system, demo size) over real HTTP."""
    with serve(create_sandbox(sandbox_dir, seed=42, size="demo")) as url:
        yield url
