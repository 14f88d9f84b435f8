"""A local HTTP listener that records every request it gets: the attacker's server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Listener:
    url: str = ""
    status: int = 200
    body: bytes = b"{}"
    received: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path, headers)

    def headers_named(self, name: str) -> list[str]:
        return [h[name] for _, h in self.received if name in h]


@contextmanager
def listening(
    host: str = "127.0.0.1", status: int = 200, body: bytes = b"{}"
) -> Iterator[Listener]:
    """A listener on ``host`` (127.0.0.2 works too: all of 127/8 is loopback on Linux)."""
    listener = Listener(status=status, body=body)

    class Record(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            listener.received.append((self.path, dict(self.headers.items())))
            self.send_response(listener.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(listener.body)))
            self.end_headers()
            self.wfile.write(listener.body)

        do_GET = do_POST = do_PUT = _answer  # noqa: N815 - http.server's names

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Record)
    listener.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()
