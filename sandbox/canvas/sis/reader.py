"""Stream the CSV files of an SIS import (a zip of CSVs or one CSV) without loading them whole.

Canvas recognises each file by its header row, not by its name, and applies them in dependency
order (accounts before courses, users before enrollments, ...). Progress is measured in bytes read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# Processing order, as Canvas' SIS::CSV::ImportRefactored applies importers.
KINDS = ("account", "term", "course", "section", "user", "login", "enrollment")


def detect_kind(header: list[str]) -> str | None:
    columns = set(header)
    if {"account_id", "parent_account_id"} <= columns:
        return "account"
    if "term_id" in columns and "name" in columns and "course_id" not in columns:
        return "term"
    if {"course_id", "short_name"} <= columns:
        return "course"
    if {"section_id", "course_id", "name"} <= columns and "user_id" not in columns:
        return "section"
    if (
        "user_id" in columns
        and ("course_id" in columns or "section_id" in columns)
        and ("role" in columns or "role_id" in columns)
    ):
        return "enrollment"
    if {"user_id", "login_id"} <= columns and columns & {
        "existing_user_id",
        "existing_integration_id",
        "existing_canvas_user_id",
    }:
        return "login"
    if {"user_id", "login_id"} <= columns:
        return "user"
    return None


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for the import's progress)."""

    def __init__(self, inner: IO[bytes], tally: list[int]) -> None:
        self._inner = inner
        self._tally = tally

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self._tally[0] += len(data)
        return len(data)


@dataclass
class CsvFile:
    name: str  # as reported in processing_errors (the file's base name)
    member: str  # path inside the zip
    kind: str | None
    header: list[str]
    size: int


class Upload:
    """The uploaded file: lists its CSVs, then streams their rows one file at a time."""

    def __init__(self, path: Path, extension: str) -> None:
        self.path = path
        self.is_zip = extension != "csv"
        self.bytes_read = [0]

    def _open_member(self, name: str, stack: ExitStack) -> IO[bytes]:
        if self.is_zip:
            archive = stack.enter_context(zipfile.ZipFile(self.path))
            return stack.enter_context(archive.open(name))
        return stack.enter_context(self.path.open("rb"))

    def files(self) -> list[CsvFile]:
        """Every CSV with its detected kind, in the order Canvas applies them."""
        if self.is_zip:
            with zipfile.ZipFile(self.path) as archive:
                members = [
                    (info.filename, info.file_size)
                    for info in archive.infolist()
                    if not info.is_dir()
                    and info.filename.lower().endswith(".csv")
                    and not info.filename.startswith("__MACOSX")
                ]
        else:
            members = [("sis_import.csv", self.path.stat().st_size)]
        found = []
        for name, size in members:
            header = next(self.rows(name, skip_header=False), [])
            normalized = [h.strip().lower() for h in header]
            found.append(
                CsvFile(name.rsplit("/", 1)[-1], name, detect_kind(normalized), normalized, size)
            )
        order = {kind: i for i, kind in enumerate(KINDS)}
        return sorted(found, key=lambda f: order.get(f.kind or "", len(KINDS)))

    def rows(self, member: str, *, skip_header: bool = True) -> Iterator[list[str]]:
        with ExitStack() as stack:
            raw = self._open_member(member, stack)
            counted = io.BufferedReader(
                CountingReader(raw, self.bytes_read if skip_header else [0])
            )
            text = io.TextIOWrapper(counted, encoding="utf-8-sig", newline="", errors="replace")
            reader = csv.reader(text)
            if skip_header:
                next(reader, None)
            yield from reader
