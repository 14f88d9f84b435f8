"""The local state folder is private to the user who runs `atrium up`.

It holds the database (users' password hashes, API key hashes, the audit log), Temporal's histories
(every run's input and output), OpenBao's data with its unseal key and root token, the sandbox
institution's files and the logs. Folders are 0700 and files 0600: a umask for this process and
every process it starts (Temporal, OpenBao, the API, the worker, the sandbox inherit it), and a
chmod at start of what already exists, so a state folder made by an older version (0755/0644)
is closed too. Only Atrium's own entries are touched, never the rest of a folder someone pointed
ATRIUM_STATE_DIR at.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

UMASK = 0o077
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
OWN_ENTRIES = (
    *(f"atrium.db{suffix}" for suffix in SQLITE_SUFFIXES),
    *(f"temporal.db{suffix}" for suffix in SQLITE_SUFFIXES),
    "initial-admin-password",
    "logs",
    "vault",
    "sandbox",
)


def _restrict(path: Path) -> None:
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        return  # never follow a link out of the state folder
    path.chmod(PRIVATE_DIR if stat.S_ISDIR(mode) else PRIVATE_FILE)


def make_private(state_dir: Path, extra_files: tuple[Path, ...] = ()) -> None:
    """Set the umask, create ``state_dir`` (0700) and close what Atrium keeps in it (and
    ``extra_files``, e.g. a SQLite database configured outside it)."""
    os.umask(UMASK)
    state_dir.mkdir(parents=True, exist_ok=True)
    state_dir.chmod(PRIVATE_DIR)
    entries = [state_dir / name for name in OWN_ENTRIES] + list(extra_files)
    for entry in entries:
        if not entry.exists() and not entry.is_symlink():
            continue
        _restrict(entry)
        if entry.is_dir() and not entry.is_symlink():
            for root, dirs, files in os.walk(entry):  # os.walk follows no links by default
                for name in dirs + files:
                    _restrict(Path(root) / name)
