"""`atrium up`: the whole local stack with a sandbox institution, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import httpx

from api.auth.bootstrap import PASSWORD_FILE, ensure_initial_admin
from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.settings import Settings
from atrium.stack.institution import register_sandbox_sync
from atrium.stack.openbao import OpenBaoServer
from atrium.stack.private_state import make_private
from atrium.stack.supervisor import Supervisor
from atrium.stack.temporal_dev import TemporalDevServer


def _wait_http(url: str, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer on {url} within {timeout:.0f}s")


def _sqlite_file(database_url: str) -> tuple[Path, ...]:
    prefix = "sqlite:///"
    return (Path(database_url[len(prefix) :]),) if database_url.startswith(prefix) else ()


def _announce_admin(settings: Settings, password: str | None, terminal: bool) -> None:
    """The first administrator's password goes to a terminal only: `make up | tee up.log`, a CI
    log or a service manager's journal would keep it for anyone who can read that log."""
    admin = settings.api.initial_admin_username
    kept = settings.state_dir / PASSWORD_FILE
    if not password:
        print(f"Log in as an administrator (first one: {admin!r}).\n", flush=True)
    elif terminal:
        also = f"; also in {kept}, 0600" if kept.is_file() else ""
        print(f"First administrator: {admin} / {password}  (shown once{also})\n", flush=True)
    else:
        print(
            f"First administrator: {admin}; its password is in {kept} (0600), not printed here "
            "because this output is not a terminal and may be kept in a log.\n",
            flush=True,
        )


def sandbox_allowed(settings: Settings) -> list[str]:
    """The egress allow list of the stack's worker and API: what the settings allow, plus the
    sandbox institution's host and HTTP port, that port only (OpenBao and Temporal listen on the
    same loopback address: connections may not be pointed at them)."""
    host, port = settings.sandbox.host, settings.sandbox.port
    entry = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return list(dict.fromkeys([*settings.egress.allowed_hosts, entry]))


def run_up(settings: Settings) -> int:
    state = settings.state_dir
    make_private(state, _sqlite_file(settings.database_url))  # umask 077 for us and children
    (state / "logs").mkdir(exist_ok=True)
    terminal = sys.stdout.isatty()
    sup = Supervisor()
    try:
        bao = OpenBaoServer(state, port=settings.vault.port)
        sup.on_stop("openbao", bao.stop)
        token = bao.start()
        print(f"atrium: OpenBao (Vault API) ready at {bao.address}")

        temporal = TemporalDevServer(
            port=settings.temporal.port,
            ui_port=settings.temporal.ui_port,
            db_file=state / "temporal.db",
            log_file=state / "logs" / "temporal.log",
            codec_endpoint=f"http://{settings.api.host}:{settings.api.port}/api/v1/codec",
        )
        sup.on_stop("temporal", temporal.stop)
        temporal.start()
        print(f"atrium: Temporal ready at {temporal.address}")

        upgrade(settings.database_url)
        print("atrium: database migrated")
        engine = make_engine(settings.database_url)
        # Kept in the 0600 file whenever it cannot be shown safely, whatever ATRIUM_ENV says.
        admin_password = ensure_initial_admin(settings, engine, keep_file=not terminal or None)

        sandbox_url = f"http://{settings.sandbox.host}:{settings.sandbox.port}"
        env = {
            **os.environ,
            "ATRIUM_STATE_DIR": str(state),
            "ATRIUM_EGRESS__ALLOWED_HOSTS": json.dumps(sandbox_allowed(settings)),
        }
        exe = [sys.executable, "-m", "atrium.cli"]
        sup.spawn("sandbox", [*exe, "sandbox"], env)
        _wait_http(f"{sandbox_url}/_control/systems", "sandbox")
        host = settings.sandbox.host
        options = {
            "finance": {"sftp_host": host, "sftp_port": settings.sandbox.sftp_port},
            "comms": {
                "smtp_host": host,
                "smtp_port": settings.sandbox.smtp_port,
                "smtp_sender": "atrium@sandbox.school.example",
            },
        }
        names = register_sandbox_sync(
            engine, Credentials(settings.vault, token=token), sandbox_url, options
        )
        print(f"atrium: sandbox institution at {sandbox_url}: {', '.join(names)}")

        sup.spawn("worker", [*exe, "worker"], env)
        api_url = f"http://{settings.api.host}:{settings.api.port}"
        sup.spawn("api", [*exe, "api"], env)
        _wait_http(f"{api_url}/healthz", "api")
    except Exception as exc:
        print(f"atrium up: {exc}", file=sys.stderr)
        sup.stop_all()
        return 1

    print(
        "\nAtrium is up. Ctrl-C stops everything; data is kept in "
        f"{state.resolve()}\n"
        f"  API            {api_url}/api/v1   (docs {api_url}/docs, readiness {api_url}/readyz)\n"
        f"  Console        {api_url}/\n"
        f"  Temporal UI    {settings.temporal.ui_url}\n"
        f"  Temporal       {settings.temporal.address}\n"
        f"  OpenBao/Vault  {settings.vault.address}  (local root token: {bao.token_file}, 0600)\n"
        f"  Sandbox        {sandbox_url}/_docs  (SFTP {settings.sandbox.sftp_port}, "
        f"SMTP {settings.sandbox.smtp_port})\n"
        f"  Metrics        {api_url}/metrics\n",
        flush=True,
    )
    _announce_admin(settings, admin_password, terminal)
    return sup.wait()
