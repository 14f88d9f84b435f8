"""Who a SIS Import would create: the ``user_id`` of every row of its user and login files.

Canvas recognises a file by its header, not its name ("SIS CSV Format"): a file whose header
has ``user_id`` and ``login_id`` creates or updates users (``users.csv``) or adds a login under
that SIS id to an existing user (``logins.csv``). Rows whose ``status`` is ``deleted`` remove a
user and are left out. Read as a stream, one row at a time.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO

PERSON_COLUMNS = {"user_id", "login_id"}


def _rows(raw: IO[bytes]) -> Iterator[str]:
    reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if not set(header) >= PERSON_COLUMNS:
        return
    user_id = header.index("user_id")
    status = header.index("status") if "status" in header else None
    for row in reader:
        if len(row) <= user_id or not row[user_id].strip():
            continue
        if status is not None and len(row) > status and row[status].strip().lower() == "deleted":
            continue
        yield row[user_id].strip()


def people_in_import(data: bytes, extension: str) -> list[str]:
    """The SIS user ids the import would create or give a login to (repeats removed)."""
    found: dict[str, None] = {}
    if extension == "csv":
        found.update(dict.fromkeys(_rows(io.BytesIO(data))))
        return list(found)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if not member.is_dir() and member.filename.lower().endswith(".csv"):
                    with archive.open(member) as raw:
                        found.update(dict.fromkeys(_rows(raw)))
    except zipfile.BadZipFile:
        return []  # Canvas answers an unreadable upload with its own error; nothing is created
    return list(found)
