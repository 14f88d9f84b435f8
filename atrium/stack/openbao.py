"""A persistent OpenBao server (raft storage) that initialises and unseals itself for local use.

The unseal key and root token are kept in ``<state>/vault`` with 0600 permissions. That is for a
developer's machine only; production uses a real Vault with its own unsealing and AppRole auth.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from atrium.stack.binaries import bao

CONFIG = """\
storage "raft" {{
  path    = "{data}"
  node_id = "atrium-local"
  performance_multiplier = 1
}}
listener "tcp" {{
  address     = "127.0.0.1:{port}"
  tls_disable = true
}}
api_addr      = "http://127.0.0.1:{port}"
cluster_addr  = "http://127.0.0.1:{cluster_port}"
ui            = false
log_level     = "warn"
"""


@dataclass
class OpenBaoServer:
    state_dir: Path
    port: int = 8200
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return self.state_dir / "vault"

    @property
    def token_file(self) -> Path:
        return self.home / "root-token"

    @property
    def key_file(self) -> Path:
        return self.home / "unseal-key"

    def start(self, timeout: float = 30.0) -> str:
        """Start, initialise (first time), unseal and enable KV v2; returns the root token."""
        data = self.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        config = self.home / "config.hcl"
        config.write_text(
            CONFIG.format(data=data.resolve(), port=self.port, cluster_port=self.port + 1)
        )
        log = open(self.home / "server.log", "ab")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            [str(bao()), "server", f"-config={config}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with httpx.Client(base_url=self.address, timeout=60) as http:
            self._wait(http, timeout)
            status = http.get("/v1/sys/seal-status").json()
            if not status["initialized"]:
                self._initialise(http)
            if http.get("/v1/sys/seal-status").json()["sealed"]:
                key = self.key_file.read_text().strip()
                http.put("/v1/sys/unseal", json={"key": key}).raise_for_status()
            token = self.token_file.read_text().strip()
            self._wait_active(http, timeout)
            self._enable_kv(http, token)
        return token

    def _wait(self, http: httpx.Client, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"OpenBao exited; see {self.home / 'server.log'}")
            try:
                http.get("/v1/sys/seal-status")
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"OpenBao did not answer on {self.address} within {timeout:.0f}s")

    def _wait_active(self, http: httpx.Client, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if http.get("/v1/sys/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("OpenBao did not become active (raft leader) in time")

    def _initialise(self, http: httpx.Client) -> None:
        answer = http.put("/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1})  # nosec B105  # key shares
        answer.raise_for_status()
        body = answer.json()
        for path, value in (
            (self.key_file, body["keys"][0]),
            (self.token_file, body["root_token"]),
        ):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(value)
        (self.home / "init.json").write_text(json.dumps({"initialized_at": time.time()}))

    def _enable_kv(self, http: httpx.Client, token: str) -> None:
        headers = {"X-Vault-Token": token}
        mounts = http.get("/v1/sys/mounts", headers=headers)
        mounts.raise_for_status()
        present = mounts.json().get("data", mounts.json())
        if "secret/" not in present:
            http.post(
                "/v1/sys/mounts/secret",
                headers=headers,
                json={"type": "kv", "options": {"version": "2"}},
            ).raise_for_status()
        if "transit/" not in present:  # the keys that seal Temporal payloads
            http.post(
                "/v1/sys/mounts/transit", headers=headers, json={"type": "transit"}
            ).raise_for_status()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
