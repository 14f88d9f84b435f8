"""A PostgreSQL cluster of the test's own (the machine's packages: initdb, pg_ctl), so that one test
can restart it mid-run without disturbing the session's shared server. PostgreSQL refuses to run
as root: as root the cluster belongs to the ``postgres`` account, in a folder of its own under
the temp directory (pytest's folders are private to root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

from tests.support.servers import free_port


def bin_dir() -> Path:
    """The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    assert on_path, "no PostgreSQL programs (initdb): `make system-deps` installs them"
    return Path(on_path).parent


@dataclass
class PrivatePostgres:
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="atrium-pg-")))

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(bin_dir() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{args[0]}: {done.stdout}{done.stderr}"

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.root / "server.log"
        self._run(
            "pg_ctl",
            action,
            "-D",
            str(self.root / "data"),
            "-l",
            str(log),
            "-w",
            "-m",
            "fast",
            "-o",
            options,
        )

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.root / "data"), "-U", "postgres", "-A", "trust")
        self._ctl("start")

    def restart(self) -> None:
        """A fast shutdown (every connection is cut) and a start on the same data."""
        self._ctl("restart")

    def stop(self) -> None:
        try:
            if (self.root / "data" / "postmaster.pid").exists():
                self._ctl("stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
