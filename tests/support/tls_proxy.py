"""TLS in front of a plain test server, terminated by Debian's haproxy (`make system-deps`): the
dev servers (Temporal, OpenBao as the suite runs it) speak plain TCP, a deployment speaks TLS."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.certs import Pair
from tests.support.servers import free_port

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


@contextmanager
def tls_proxy(
    folder: Path,
    backend: str,
    server: Pair,
    *,
    client_ca: Path | None = None,
    alpn: str | None = None,
) -> Iterator[str]:
    """haproxy on a free loopback port serving ``server``'s certificate, passing the decrypted
    stream to ``backend`` (host:port); with ``client_ca`` a client certificate it signed is
    required. Yields the proxy's host:port."""
    bundle = folder / f"{server.cert.stem}-bundle.pem"  # haproxy wants certificate and key together
    bundle.write_bytes(server.cert.read_bytes() + server.key.read_bytes())
    bundle.chmod(0o600)
    port = free_port()
    bind = f"bind 127.0.0.1:{port} ssl crt {bundle}"
    if client_ca is not None:
        bind += f" ca-file {client_ca} verify required"
    if alpn is not None:
        bind += f" alpn {alpn}"
    config = folder / f"haproxy-{port}.cfg"
    config.write_text(
        f"""global
  log stderr format raw local0 err
defaults
  mode tcp
  timeout connect 5s
  timeout client 120s
  timeout server 120s
frontend tls
  {bind}
  default_backend plain
backend plain
  server upstream {backend}
"""
    )
    proxy = subprocess.Popen([HAPROXY, "-f", str(config), "-db"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proxy.poll() is None, f"haproxy exited ({config})"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "haproxy did not listen"
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proxy.terminate()
        proxy.wait(10)
