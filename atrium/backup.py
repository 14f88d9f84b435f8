"""`atrium backup` and `atrium restore`: Atrium's store, Vault and (embedded) Temporal in one file.

A backup is a gzipped tar archive (mode 0600) with a ``manifest.json`` listing each part and its
SHA-256:

- ``store.sqlite`` (SQLite's online backup API: consistent while the stack runs) or
  ``store.pgdump`` (``pg_dump --format=custom``) for PostgreSQL;
- ``vault.snap``: a raft snapshot of Vault/OpenBao (``sys/storage/raft/snapshot``), which holds
  every secret and Atrium's own keys (the JWT signing key);
- ``temporal.sqlite``: the embedded Temporal dev server's database, when there is one;
- ``vault-keys/``: the embedded OpenBao's unseal key and root token, when the state folder holds
  them (`atrium up`). A production Vault is unsealed by its operators: no key is ever backed up.

``restore`` writes into a *new* state folder (it refuses one that holds data) and, for the
embedded stack, starts a fresh OpenBao there, installs the snapshot (``snapshot-force``: the new
server's own keys are replaced by the backed-up ones) and unseals it with the backed-up key.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from atrium.settings import Settings
from atrium.tls import vault_ssl

FORMAT = 1
KEY_FILES = ("unseal-key", "root-token")


class BackupError(Exception):
    """A backup or restore could not be made; the message says what to do."""


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its writers keep going)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _vault_token(settings: Settings) -> str:
    if settings.vault.token is not None:
        return settings.vault.token.get_secret_value()
    if settings.vault_token_file.exists():
        return settings.vault_token_file.read_text().strip()
    raise BackupError(
        "a raft snapshot needs a Vault token allowed to read sys/storage/raft/snapshot: "
        "set ATRIUM_VAULT__TOKEN"
    )


def _snapshot(settings: Settings, target: Path) -> None:
    headers = {"X-Vault-Token": _vault_token(settings)}
    with (
        httpx.Client(base_url=settings.vault.address, verify=vault_ssl(settings.vault)) as http,
        http.stream("GET", "/v1/sys/storage/raft/snapshot", headers=headers, timeout=120) as r,
    ):
        if r.status_code != 200:
            raise BackupError(f"Vault refused the raft snapshot ({r.status_code})")
        with target.open("wb") as out:
            for chunk in r.iter_bytes():
                out.write(chunk)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class BackupResult:
    path: Path
    parts: dict[str, str]  # archive member -> sha256


def backup(settings: Settings, output: Path | None = None) -> BackupResult:
    """Write a backup of the configured stack to ``output`` (default: <state>/backups/...)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = output or settings.state_dir / "backups" / f"atrium-{stamp}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="atrium-backup-") as tmp:
        work = Path(tmp)
        store = _sqlite_path(settings.database_url)
        if store is not None:
            if not store.exists():
                raise BackupError(f"no store at {store}: nothing to back up")
            _copy_sqlite(store, work / "store.sqlite")
        else:
            _pg_dump(settings.database_url, work / "store.pgdump")
        _snapshot(settings, work / "vault.snap")
        temporal_db = settings.state_dir / "temporal.db"
        if temporal_db.exists():
            _copy_sqlite(temporal_db, work / "temporal.sqlite")
        keys = settings.vault_token_file.parent
        if all((keys / name).exists() for name in KEY_FILES):
            (work / "vault-keys").mkdir()
            for name in KEY_FILES:
                shutil.copyfile(keys / name, work / "vault-keys" / name)
        parts = {
            str(p.relative_to(work)): _sha256(p) for p in sorted(work.rglob("*")) if p.is_file()
        }
        manifest = {"format": FORMAT, "created_at": stamp, "parts": parts}
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(data), 0o600
            archive.addfile(info, io.BytesIO(data))
            for name in parts:
                archive.add(work / name, arcname=name)
    return BackupResult(output, parts)


def _pg_dump(url: str, target: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("PostgreSQL stores are backed up with pg_dump, which is not installed")
    url = url.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(
        ["pg_dump", "--format=custom", f"--file={target}", url], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")


def _pg_restore(url: str, source: Path) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupError("PostgreSQL stores are restored with pg_restore, which is not installed")
    url = url.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={url}", str(source)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip().splitlines()[-1:]}")


def _extract(archive_path: Path, work: Path) -> dict[str, str]:
    """The archive's parts, checked against its manifest (a damaged backup is refused)."""
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            archive.extractall(work, filter="data")  # no absolute paths, links or devices
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive_path} is not a readable Atrium backup: {exc}") from None
    try:
        manifest = json.loads((work / "manifest.json").read_text())
    except (OSError, ValueError):
        raise BackupError(f"{archive_path} has no valid manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    parts: dict[str, str] = manifest["parts"]
    for name, digest in parts.items():
        if not (work / name).is_file() or _sha256(work / name) != digest:
            raise BackupError(f"{archive_path}: {name} is missing or damaged")
    return parts


def _install_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)


def restore(settings: Settings, archive_path: Path) -> list[str]:
    """Restore ``archive_path`` into the configured (new) state folder; returns what it did."""
    state = settings.state_dir
    store = _sqlite_path(settings.database_url)
    occupied = [p for p in (store, state / "temporal.db", state / "vault" / "data") if p]
    if any(p.exists() and (p.is_file() or any(p.iterdir())) for p in occupied):
        raise BackupError(f"{state} already holds a stack: restore into a new state folder")
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    done = []
    with tempfile.TemporaryDirectory(prefix="atrium-restore-") as tmp:
        work = Path(tmp)
        parts = _extract(archive_path, work)
        if "store.sqlite" in parts:
            if store is None:
                raise BackupError("the backup holds a SQLite store; set a sqlite:// database URL")
            _install_file(work / "store.sqlite", store)
            done.append(f"store -> {store}")
        elif "store.pgdump" in parts:
            _pg_restore(settings.database_url, work / "store.pgdump")
            done.append("store -> PostgreSQL")
        if "temporal.sqlite" in parts:
            _install_file(work / "temporal.sqlite", state / "temporal.db")
            done.append(f"temporal -> {state / 'temporal.db'}")
        if "vault-keys/unseal-key" in parts:
            _restore_embedded_vault(settings, work)
            done.append(f"vault -> {state / 'vault'} (embedded OpenBao, unsealed)")
        else:
            _force_restore(settings.vault.address, _vault_token(settings), work / "vault.snap")
            done.append(f"vault -> {settings.vault.address} (unseal it with its own keys)")
    return done


def _force_restore(address: str, token: str, snapshot: Path) -> None:
    with httpx.Client(base_url=address, timeout=120) as http:
        answer = http.post(
            "/v1/sys/storage/raft/snapshot-force",
            headers={"X-Vault-Token": token},
            content=snapshot.read_bytes(),
        )
    if answer.status_code not in (200, 204):
        raise BackupError(f"Vault refused the snapshot ({answer.status_code})")


def _restore_embedded_vault(settings: Settings, work: Path) -> None:
    """A fresh OpenBao in the new state folder, given the backed-up data and keys."""
    from atrium.stack.openbao import OpenBaoServer

    bao = OpenBaoServer(settings.state_dir, port=settings.vault.port)
    token = bao.start()
    try:
        _force_restore(bao.address, token, work / "vault.snap")
        for name in KEY_FILES:  # the snapshot's keyring is sealed by the backed-up key
            _install_file(work / "vault-keys" / name, bao.home / name)
        key = (bao.home / "unseal-key").read_text().strip()
        with httpx.Client(base_url=bao.address, timeout=30) as http:
            deadline = time.monotonic() + 30
            while http.get("/v1/sys/seal-status").json().get("sealed"):
                http.put("/v1/sys/unseal", json={"key": key}).raise_for_status()
                if time.monotonic() > deadline:
                    raise BackupError("the restored OpenBao did not unseal with the backed-up key")
                time.sleep(0.2)
    finally:
        bao.stop()
