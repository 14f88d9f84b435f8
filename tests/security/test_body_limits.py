"""Finding 2: a huge chunked body must not exhaust the API's memory.

The attack: ``POST /api/v1/runs`` with ``Transfer-Encoding: chunked`` (no Content-Length to check
up front) and 64 MB of body, with and without credentials. Before the fix, FastAPI read the whole
body into memory before it even looked at the credentials. Now the API answers 401 (no credential)
before reading the body, or 413 as soon as ATRIUM_API__MAX_BODY_BYTES is passed, while the client
is still sending: the client below counts the bytes it got to send before the answer arrived.
"""

from __future__ import annotations

import resource
import select
import socket
from urllib.parse import urlsplit

import pytest

from atrium.settings import Settings

TOTAL = 64 * 1024 * 1024
CHUNK = b"[" + b" " * (64 * 1024 - 1)  # JSON that never ends: only its size matters
# Bytes that may be in flight when the answer comes: the limit the API reads, plus what the
# kernel's socket buffers on both sides hold (a few MB on loopback). Far below the 64 MB sent.
IN_FLIGHT = 12 * 1024 * 1024


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def post_chunked(base_url: str, path: str, headers: dict[str, str]) -> tuple[int, int, bytes]:
    """Send a chunked POST of up to TOTAL bytes, one chunk at a time, and stop as soon as the
    server answers (or stops reading). Returns (status, body bytes sent before that, answer)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.create_connection((host, port), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Transfer-Encoding: chunked"]
    headers = {"Content-Type": "application/json", **headers}
    lines += [f"{name}: {value}" for name, value in headers.items()] + ["Connection: close"]
    sent = 0
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        frame = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
        sock.settimeout(3)  # a server that answered and stopped reading: stop sending
        while sent < TOTAL:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(frame)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                break
            sent += len(CHUNK)
        else:
            sock.sendall(b"0\r\n\r\n")
        sock.settimeout(30)
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    status_line = answer.split(b"\r\n", 1)[0].split()
    assert len(status_line) >= 2, f"no HTTP answer after {sent} bytes: {answer[:200]!r}"
    return int(status_line[1]), sent, answer


@pytest.mark.parametrize("credential", ["none", "bearer"])
def test_a_huge_chunked_body_is_refused_while_it_streams(
    api_url: str, admin_token: str, settings: Settings, credential: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"} if credential == "bearer" else {}
    peak_before = peak_rss_bytes()
    status, sent, answer = post_chunked(api_url, "/api/v1/runs", headers)
    grown = peak_rss_bytes() - peak_before
    print(f"{credential}: {status} after {sent} bytes sent; peak RSS grew {grown} bytes")
    if credential == "none":
        assert status == 401 and b"missing credentials" in answer
        assert b'www-authenticate: bearer realm="atrium"' in answer.lower()
    else:
        assert status == 413
        assert f"body: larger than {settings.api.max_body_bytes} bytes".encode() in answer
    assert sent <= settings.api.max_body_bytes + IN_FLIGHT, f"{sent} bytes sent before the answer"
    assert grown < 16 * 1024 * 1024, f"the process grew by {grown} bytes"


def test_public_routes_have_the_limit_too(api_url: str, settings: Settings) -> None:
    """The login needs no credential, so the body is read: 413 as soon as it is too large."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, sent, answer = post_chunked(api_url, "/api/v1/auth/token", form)
    assert status == 413 and b"body: larger than" in answer
    assert sent <= settings.api.max_body_bytes + IN_FLIGHT


def test_a_small_chunked_body_still_works(api_url: str, admin_token: str) -> None:
    """Chunked encoding itself is fine: a small chunked body reaches the route (422 naming the
    field it lacks, not 413)."""
    import httpx

    def body() -> object:
        yield b'{"input": '
        yield b"{}}"

    answer = httpx.post(
        f"{api_url}/api/v1/runs",
        content=body(),  # type: ignore[arg-type]
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422 and "process" in answer.json()["error"]
