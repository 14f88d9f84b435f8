"""``atrium api`` serving TLS itself (ATRIUM_API__TLS_*): a real subprocess answers https with a
certificate our test CA signed, sends HSTS, refuses plain HTTP, requires a client certificate when
given a client CA; a bad TLS file ends it at once with one line naming the setting (exit 2)."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from atrium.cli import main
from atrium.settings import Settings
from tests.support.certs import Pair, TestCA
from tests.support.servers import free_port


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("api-tls"))


def _env(settings: Settings, folder: Path, port: int, **tls: Path) -> dict[str, str]:
    assert settings.vault.token is not None
    env = {
        **os.environ,
        "ATRIUM_STATE_DIR": str(folder),
        "ATRIUM_TEMPORAL__ADDRESS": settings.temporal.address,
        "ATRIUM_VAULT__ADDRESS": settings.vault.address,
        "ATRIUM_VAULT__TOKEN": settings.vault.token.get_secret_value(),
        "ATRIUM_DATABASE__URL": f"sqlite:///{folder / 'api.db'}",
        "ATRIUM_API__PORT": str(port),
        "ATRIUM_API__EAGER_WORKER": "false",
        "ATRIUM_API__DRAIN_SECONDS": "0",
        "ATRIUM_LOG_LEVEL": "WARNING",
    }
    env |= {f"ATRIUM_API__TLS_{name.upper()}_PATH": str(path) for name, path in tls.items()}
    return env


def _client_context(ca: TestCA, client: Pair | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca.cert))
    if client is not None:
        context.load_cert_chain(client.cert, client.key)
    return context


@contextmanager
def _api(env: dict[str, str], ready: ssl.SSLContext) -> Iterator[str]:
    """``atrium api`` running with ``env`` until /healthz answers over https; yields its URL."""
    subprocess.run(  # the schema first, as `atrium up` does before it starts the API
        [sys.executable, "-m", "atrium.cli", "migrate"], env=env, check=True, capture_output=True
    )
    url = f"https://127.0.0.1:{env['ATRIUM_API__PORT']}"
    api = subprocess.Popen(
        [sys.executable, "-m", "atrium.cli", "api"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90  # a loaded machine imports slowly
        while True:
            assert api.poll() is None, api.stderr.read().decode() if api.stderr else "exited"
            try:
                if httpx.get(f"{url}/healthz", verify=ready, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "atrium api did not answer over https"
                time.sleep(0.2)
        yield url
    finally:
        api.terminate()
        try:
            api.wait(20)
        except subprocess.TimeoutExpired:
            api.kill()
            raise
    assert b"Traceback" not in (api.stderr.read() if api.stderr else b"")


def test_api_serves_tls_with_hsts_and_refuses_plain_http(
    settings: Settings, ca: TestCA, tmp_path: Path
) -> None:
    server = ca.server("localhost")
    port = free_port()
    env = _env(settings, tmp_path, port, cert=server.cert, key=server.key)
    with _api(env, _client_context(ca)) as url:
        answer = httpx.get(f"{url}/healthz", verify=_client_context(ca), timeout=5)
        assert answer.status_code == 200
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        # The certificate really is the one configured, verified against our CA only.
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{url}/healthz", verify=ssl.create_default_context(), timeout=5)
        # Plain HTTP on the same port gets no answer from the app.
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)


def test_api_with_a_client_ca_requires_client_certificates(
    settings: Settings, ca: TestCA, tmp_path: Path
) -> None:
    server, client = ca.server("localhost"), ca.client("console-gateway")
    other = TestCA(tmp_path, "Another CA").client("stranger")
    env = _env(settings, tmp_path, free_port(), cert=server.cert, key=server.key, client_ca=ca.cert)
    with _api(env, _client_context(ca, client)) as url:
        answer = httpx.get(f"{url}/healthz", verify=_client_context(ca, client), timeout=5)
        assert answer.status_code == 200
        for refused in (None, other):  # no certificate, or one another CA signed
            with pytest.raises(httpx.HTTPError):
                httpx.get(f"{url}/healthz", verify=_client_context(ca, refused), timeout=5)


def _exits(env: dict[str, str]) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "atrium.cli", "api"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stderr.strip().splitlines()


def test_a_mismatched_key_ends_atrium_api_with_one_line(
    settings: Settings, ca: TestCA, tmp_path: Path
) -> None:
    server, other = ca.server("localhost"), ca.client("someone-else")
    code, lines = _exits(_env(settings, tmp_path, free_port(), cert=server.cert, key=other.key))
    assert code == 2, lines
    assert lines == [
        f"atrium api: ATRIUM_API__TLS_KEY_PATH: {other.key} is not the private key of the "
        f"certificate in ATRIUM_API__TLS_CERT_PATH ({server.cert})"
    ]


def test_bad_tls_files_are_named_before_anything_starts(
    settings: Settings,
    ca: TestCA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command itself (in this process: it ends before it imports or starts anything)."""
    server = ca.server("localhost")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    cases = {
        "missing": (
            {"cert": tmp_path / "nowhere.crt", "key": server.key},
            ["ATRIUM_API__TLS_CERT_PATH", "does not exist"],
        ),
        "unreadable": (
            {"cert": server.cert, "key": tmp_path},  # a folder cannot be read as a file
            ["ATRIUM_API__TLS_KEY_PATH", "is a folder"],
        ),
        "not PEM": (
            {"cert": garbage, "key": server.key},
            ["ATRIUM_API__TLS_CERT_PATH", "holds no PEM certificate"],
        ),
        "not a key": (
            {"cert": server.cert, "key": server.cert},
            ["ATRIUM_API__TLS_KEY_PATH", "holds no PEM private key"],
        ),
        "bad client CA": (
            {"cert": server.cert, "key": server.key, "client_ca": garbage},
            ["ATRIUM_API__TLS_CLIENT_CA_PATH", "holds no PEM certificate"],
        ),
        "half a pair": (  # a settings error, named before any file is read
            {"cert": server.cert},
            ["ATRIUM_API__TLS_CERT_PATH and ATRIUM_API__TLS_KEY_PATH go together"],
        ),
    }
    for case, (files, words) in cases.items():
        for name in ("CERT", "KEY", "CLIENT_CA"):
            monkeypatch.delenv(f"ATRIUM_API__TLS_{name}_PATH", raising=False)
        for name, value in _env(settings, tmp_path, free_port(), **files).items():
            monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit) as ended:
            main(["api"])
        lines = capsys.readouterr().err.strip().splitlines()
        assert ended.value.code == 2, (case, lines)
        assert len(lines) == 1, (case, lines)
        assert lines[0].startswith("atrium"), (case, lines)
        assert all(w in lines[0] for w in words), (case, lines)
