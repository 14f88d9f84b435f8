"""Finding 12: `atrium up` keeps its state private and prints no password into a log.

The real `atrium up` runs against a fresh state folder on free ports, with its output going to a
pipe (as with `make up | tee up.log`, a CI log or a service's journal). The state folder starts
as an older version left it (0755 folder, 0644 database and log), to show that those are closed
too. Once the stack is up: every file under the folder is 0600 and every folder 0700 (database,
Temporal's database, OpenBao's data, logs, the sandbox's files), and the first administrator's
password is in ``initial-admin-password`` (0600) and nowhere else: not in the output, not in any
log file.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.auth.bootstrap import PASSWORD_FILE
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
UP_TIMEOUT = 240.0


def free_pair() -> int:
    """A port whose next port is free too (OpenBao's cluster port is its port + 1)."""
    while True:
        port = free_port()
        if port < 65535:
            try:
                import socket

                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


def stack_env(state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    env.update(
        ATRIUM_STATE_DIR=str(state),
        ATRIUM_TEMPORAL__ADDRESS=f"127.0.0.1:{free_port()}",
        ATRIUM_TEMPORAL__UI_PORT=str(free_port()),
        ATRIUM_VAULT__ADDRESS=f"http://127.0.0.1:{free_pair()}",
        ATRIUM_API__PORT=str(free_port()),
        ATRIUM_SANDBOX__PORT=str(free_port()),
        ATRIUM_SANDBOX__SFTP_PORT=str(free_port()),
        ATRIUM_SANDBOX__SMTP_PORT=str(free_port()),
        ATRIUM_WORKER__METRICS_PORT=str(free_port()),
        ATRIUM_WORKER__ATRIUM_METRICS_PORT=str(free_port()),
        PYTHONPATH=str(ROOT),
    )
    return env


def older_version_state(state: Path) -> None:
    """What an older `atrium up` left: world-readable folder, database and log."""
    (state / "logs").mkdir(parents=True)
    (state / "atrium.db").touch()  # an empty file is an empty SQLite database
    (state / "logs" / "temporal.log").write_text("an old log line\n")
    for path, mode in ((state, 0o755), (state / "logs", 0o755)):
        path.chmod(mode)
    for path in (state / "atrium.db", state / "logs" / "temporal.log"):
        path.chmod(0o644)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """`atrium up` started, waited for and stopped; yields the state folder and its output."""
    state = tmp_path / "state"
    older_version_state(state)
    output: list[str] = []
    process = subprocess.Popen(
        [sys.executable, "-m", "atrium.cli", "up"],
        cwd=ROOT,
        env=stack_env(state),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole below
        text=True,
    )
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        deadline = time.monotonic() + UP_TIMEOUT
        while not any("First administrator" in line for line in output):
            assert process.poll() is None, "".join(output)[-3000:]
            assert time.monotonic() < deadline, "".join(output)[-3000:]
            time.sleep(0.5)
        yield state, output
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        reader.join(timeout=10)


def test_state_is_private_and_the_password_is_in_no_log(stack: tuple[Path, list[str]]) -> None:
    state, output = stack
    password_file = state / PASSWORD_FILE
    password = password_file.read_text().strip()
    assert len(password) >= 16
    printed = "".join(output)
    assert password not in printed
    assert str(password_file) in printed  # where to find it instead

    loose = []
    expected = {"atrium.db", "temporal.db", "logs", "vault", "sandbox", PASSWORD_FILE}
    assert expected <= {p.name for p in state.iterdir()}
    for path in [state, *state.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            continue
        wanted = 0o700 if stat.S_ISDIR(mode) else 0o600
        if stat.S_IMODE(mode) & ~wanted:
            loose.append(f"{path.relative_to(state)}: {oct(stat.S_IMODE(mode))}")
    assert not loose, loose

    logs = [p for p in state.rglob("*.log") if p.is_file()]
    assert {"temporal.log", "server.log"} <= {p.name for p in logs}
    for log in logs:
        assert password.encode() not in log.read_bytes(), log
