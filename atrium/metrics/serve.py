"""The worker's own metrics endpoint (``worker.atrium_metrics_port``): the default registry, that
is connector calls and sync outcomes recorded by this worker's activities. The Temporal SDK's
exporter keeps ``worker.metrics_port``; Prometheus scrapes both (temporal-compose.yml)."""

from __future__ import annotations

from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server


def serve(host: str, port: int) -> tuple[WSGIServer, Thread]:
    """Serve ``/metrics`` on a daemon thread; the server is returned so a test can stop it."""
    return start_http_server(port, addr=host)
