"""Read a OneRoster 1.2 CSV zip into canonical records, reporting every bad cell precisely.

Each problem becomes a ``CsvIssue(file, line, column, message)`` (1-based line as in an editor,
header = line 1; 1-based column, 0 when the whole row or file is at fault). A bad row is left out
and reported; good rows are kept. A file whose header does not match the binding is reported and
skipped as a whole, since none of its columns can be trusted. References (an enrollment's class,
a class's course ...) are checked against the files of the same zip when those are ``bulk``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from connectors import canonical
from connectors.oneroster.csv_rows import RowContext, RowError, build_record
from connectors.oneroster.csv_spec import HEADERS, READ_ORDER


@dataclass(frozen=True)
class CsvIssue:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass
class CsvRoster:
    manifest: dict[str, str] = field(default_factory=dict)
    orgs: list[canonical.Org] = field(default_factory=list)
    academic_sessions: list[canonical.AcademicSession] = field(default_factory=list)
    courses: list[canonical.Course] = field(default_factory=list)
    classes: list[canonical.Class] = field(default_factory=list)
    persons: list[canonical.Person] = field(default_factory=list)
    enrollments: list[canonical.Enrollment] = field(default_factory=list)
    issues: list[CsvIssue] = field(default_factory=list)

    def mode(self, name: str) -> str:
        return self.manifest.get(f"file.{name}", "absent")


TARGETS: dict[str, str] = {
    "orgs": "orgs",
    "academicSessions": "academic_sessions",
    "courses": "courses",
    "classes": "classes",
    "users": "persons",
    "enrollments": "enrollments",
}


def _read_manifest(archive: zipfile.ZipFile, roster: CsvRoster) -> None:
    if "manifest.csv" not in archive.namelist():
        roster.issues.append(CsvIssue("manifest.csv", 0, 0, "manifest.csv is missing"))
        return
    reader = csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")))
    header = next(reader, [])
    if header[:2] != ["propertyName", "value"]:
        roster.issues.append(
            CsvIssue("manifest.csv", 1, 1, f"header must be propertyName,value, not {header}")
        )
        return
    for row in reader:
        if len(row) >= 2:
            roster.manifest[row[0]] = row[1]
        elif row:
            roster.issues.append(CsvIssue("manifest.csv", reader.line_num, 0, "row needs 2 cells"))


def _check_header(name: str, header: list[str]) -> CsvIssue | None:
    expected = HEADERS[name]
    for i, want in enumerate(expected):
        found = header[i] if i < len(header) else None
        if found != want:
            what = f"found {found!r}" if found is not None else "the header ends there"
            return CsvIssue(f"{name}.csv", 1, i + 1, f"expected column {want!r}, {what}")
    extra = [h for h in header[len(expected) :] if not h.startswith("metadata.")]
    if extra:
        column = header.index(extra[0]) + 1
        return CsvIssue(f"{name}.csv", 1, column, f"unknown column {extra[0]!r} (not metadata.*)")
    return None


def read_csv_zip(data: bytes, *, as_of: datetime | None = None) -> CsvRoster:
    """Parse a OneRoster 1.2 CSV zip. ``as_of`` dates bulk rows, whose dateLastModified is blank."""
    roster = CsvRoster()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        roster.issues.append(CsvIssue("(zip)", 0, 0, "not a zip file"))
        return roster
    with archive:
        _read_manifest(archive, roster)
        ctx = RowContext(as_of=as_of or datetime.now(UTC))
        for name in READ_ORDER:
            mode = roster.mode(name)
            present = f"{name}.csv" in archive.namelist()
            if mode == "absent" and not present:
                continue
            if not present:
                roster.issues.append(
                    CsvIssue(f"{name}.csv", 0, 0, f"manifest says {mode} but the file is missing")
                )
                continue
            ctx.bulk[name] = mode == "bulk"
            _read_file(archive, name, ctx, roster)
    return roster


def _read_file(archive: zipfile.ZipFile, name: str, ctx: RowContext, roster: CsvRoster) -> None:
    filename = f"{name}.csv"
    text = archive.read(filename).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if problem := _check_header(name, header):
        roster.issues.append(problem)
        return
    columns = {h: i for i, h in enumerate(header)}
    target: list[Any] | None = getattr(roster, TARGETS[name]) if name in TARGETS else None
    delta = roster.mode(name) == "delta"
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            roster.issues.append(
                CsvIssue(filename, line, 0, f"row has {len(row)} cells, header has {len(header)}")
            )
            continue
        cells = dict(zip(header, row, strict=True))
        try:
            record = build_record(name, cells, ctx, delta=delta)
        except RowError as exc:
            roster.issues.append(CsvIssue(filename, line, columns[exc.column] + 1, exc.message))
            continue
        except ValidationError as exc:
            for err in exc.errors():
                column = _column_of(err["loc"], columns)
                roster.issues.append(CsvIssue(filename, line, column, f"{err['msg']}"))
            continue
        if target is not None and record is not None:
            target.append(record)


# canonical field -> CSV column, to place validation errors raised by the canonical model
CANONICAL_COLUMNS = {
    "email": "email",
    "username": "username",
    "given_name": "givenName",
    "family_name": "familyName",
    "title": "title",
    "name": "name",
    "start_date": "startDate",
    "end_date": "endDate",
}


def _column_of(loc: tuple[int | str, ...], columns: dict[str, int]) -> int:
    key = str(loc[0]) if loc else ""
    column = CANONICAL_COLUMNS.get(key, key)
    return columns[column] + 1 if column in columns else 0
