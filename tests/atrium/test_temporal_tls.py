"""mTLS to Temporal (ATRIUM_TEMPORAL__TLS_*): the dev server has no TLS flags, so Debian's
haproxy (from `make system-deps`) terminates TLS in front of it and requires a client certificate
our test CA signed, as a production frontend would. Atrium's client factory with the right
certificate connects and runs a workflow; without one, or with a wrong CA or server name, it is
refused with one line naming the setting to fix."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from atrium.settings import TemporalSettings
from atrium.stack.temporal_dev import TemporalDevServer
from atrium.temporal import TemporalTLSError, connect
from tests.support.certs import Pair, TestCA
from tests.support.tls_proxy import tls_proxy


@workflow.defn(name="tls-probe")
class TlsProbe:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"hello {name} over mTLS"


@dataclass(frozen=True)
class Frontend:
    address: str
    ca: TestCA
    client: Pair


@pytest.fixture(scope="module")
def frontend(
    temporal_server: TemporalDevServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Frontend]:
    """TLS with a certificate for temporal.test (not the address's host), ALPN h2 for gRPC,
    client certificates of the test CA required, the dev server's plain gRPC behind."""
    folder = tmp_path_factory.mktemp("temporal-tls")
    ca = TestCA(folder)
    server = ca.server("temporal.test")
    with tls_proxy(folder, temporal_server.address, server, client_ca=ca.cert, alpn="h2") as at:
        yield Frontend(at, ca, ca.client("atrium-worker"))


def _settings(frontend: Frontend, **tls: object) -> TemporalSettings:
    given: dict[str, object] = {
        "tls_ca_path": frontend.ca.cert,
        "tls_cert_path": frontend.client.cert,
        "tls_key_path": frontend.client.key,
        "tls_server_name": "temporal.test",
    }
    given |= tls
    return TemporalSettings(address=frontend.address, connect_wait_seconds=0, **given)  # type: ignore[arg-type]


async def test_a_client_with_its_certificate_runs_a_workflow(frontend: Frontend) -> None:
    settings = _settings(frontend)
    assert settings.tls  # implied by the files
    client = await connect(settings, codec=None)
    queue = f"tls-{uuid.uuid4().hex[:8]}"
    # Unsandboxed: the probe lives in a test module, whose imports the sandbox would re-run.
    runner = UnsandboxedWorkflowRunner()
    async with Worker(client, task_queue=queue, workflows=[TlsProbe], workflow_runner=runner):
        answer = await client.execute_workflow(
            TlsProbe.run, "atrium", id=f"tls-probe-{queue}", task_queue=queue
        )
    assert answer == "hello atrium over mTLS"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"tls_cert_path": None, "tls_key_path": None},
            ["client certificate (mTLS)", "ATRIUM_TEMPORAL__TLS_CERT_PATH"],
        ),
        ({"tls_ca_path": None}, ["no trusted CA signed", "ATRIUM_TEMPORAL__TLS_CA_PATH"]),
        ({"tls_server_name": "wrong.test"}, ["'wrong.test'", "ATRIUM_TEMPORAL__TLS_SERVER_NAME"]),
    ],
    ids=["no client certificate", "unknown server CA", "wrong server name"],
)
async def test_a_tls_refusal_is_one_line_naming_the_setting(
    frontend: Frontend, change: dict[str, object], words: list[str]
) -> None:
    with pytest.raises(TemporalTLSError) as refused:
        await connect(_settings(frontend, **change), codec=None)
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"Temporal at {frontend.address} ")
    assert all(w in message for w in words), message


async def test_a_certificate_of_another_ca_is_refused(frontend: Frontend, tmp_path: Path) -> None:
    stranger = TestCA(tmp_path, "Another CA").client("stranger")
    settings = _settings(frontend, tls_cert_path=stranger.cert, tls_key_path=stranger.key)
    with pytest.raises(
        TemporalTLSError, match="the client certificate in ATRIUM_TEMPORAL__TLS_CERT_PATH"
    ):
        await connect(settings, codec=None)


def test_atrium_worker_without_a_client_certificate_ends_with_one_line(
    frontend: Frontend, tmp_path: Path
) -> None:
    """The command a deployment runs: Vault and the database come first in `atrium worker`, so
    here the client certificate is missing from disk, which is checked before anything starts."""
    env = {
        "PATH": "/usr/bin:/bin",
        "ATRIUM_STATE_DIR": str(tmp_path),
        "ATRIUM_TEMPORAL__ADDRESS": frontend.address,
        "ATRIUM_TEMPORAL__TLS_CA_PATH": str(frontend.ca.cert),
        "ATRIUM_TEMPORAL__TLS_CERT_PATH": str(tmp_path / "worker.crt"),
        "ATRIUM_TEMPORAL__TLS_KEY_PATH": str(frontend.client.key),
    }
    done = subprocess.run(
        [sys.executable, "-m", "atrium.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent.parent.parent,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"atrium worker: ATRIUM_TEMPORAL__TLS_CERT_PATH: {tmp_path / 'worker.crt'} does not exist"
    ]


def test_half_a_client_pair_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from atrium.settings import SettingsError, load_settings

    monkeypatch.setenv("ATRIUM_TEMPORAL__TLS_CERT_PATH", "/etc/atrium/worker.crt")
    monkeypatch.delenv("ATRIUM_TEMPORAL__TLS_KEY_PATH", raising=False)
    with pytest.raises(SettingsError, match="ATRIUM_TEMPORAL__TLS_CERT_PATH and ATRIUM_TEMP"):
        load_settings()
