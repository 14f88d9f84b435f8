"""Read a OneRoster CSV package (1.1 or 1.2, bulk or delta) as schools send them, lazily.

API::

    report = CsvReport()
    for row in iter_package(source, report):   # source: zip bytes, a zip path or a folder path
        row.file, row.line, row.record          # "users", 7, canonical.Person
    report.issues                               # every problem: file, line, column, value, ...

``iter_package`` yields a ``CsvRow`` per loaded row, in dependency order (orgs, sessions,
courses, classes, users, enrollments), reading each file as a stream from the zip or folder:
memory stays flat whatever the package size (references are checked against sets of ids,
never rows). ``CsvReport`` fills in while iterating: the manifest, the version read
(``oneroster.version`` picks the 1.1 or 1.2 columns), counts per file, and ``CsvIssue``s with
file, 1-based line (as an editor shows it, header = 1), 1-based column (0 = the row or file),
the column's name, the value, what was expected and a severity:

- ``error``: the row is not loaded (every bad cell of it is reported, not only the first);
- ``warning``: tolerated and loaded (header case or misspelling, a missing trailing cell,
  extra cells, ``Scheduled`` for ``scheduled``, a bare date for a date-time, a reference to an
  org or session the package does not carry ...);
- ``waiting``: the row points at a row that was itself refused (``waits_for`` names it, e.g.
  ``users.csv:7``) and is not loaded either; the refused row carries the real error, once.

Pass a big package as a path (zip or folder): bytes are held whole, a path is streamed.
``read_csv_zip(data)`` is the eager form kept for callers that want lists (``CsvRoster``).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connectors import canonical
from connectors.oneroster.csv_package import Package, header_columns, read_manifest, wanted
from connectors.oneroster.csv_records import BUILDERS
from connectors.oneroster.csv_report import CsvIssue, CsvReport, issue
from connectors.oneroster.csv_rows import Cells, Index, Problem
from connectors.oneroster.csv_spec import COLUMNS, READ_ORDER

__all__ = ["CsvIssue", "CsvReport", "CsvRoster", "CsvRow", "iter_package", "read_csv_zip"]
KEEP_IDS = {"orgs", "academicSessions", "courses", "classes", "users"}  # referenced by others


@dataclass(frozen=True, slots=True)
class CsvRow:
    file: str  # binding file name without .csv: "users"
    line: int
    record: canonical.models.Record


def iter_package(
    source: bytes | str | Path, report: CsvReport | None = None, *, as_of: datetime | None = None
) -> Iterator[CsvRow]:
    """Loaded rows of the package, lazily; problems go to ``report``. ``as_of`` dates bulk
    rows whose dateLastModified is blank (default: now)."""
    report = report if report is not None else CsvReport()
    try:
        package = Package(source)
    except (zipfile.BadZipFile, OSError) as exc:
        report.add(CsvIssue("(package)", 0, 0, f"not a zip file or folder: {exc}"[:300]))
        return
    try:
        read_manifest(package, report)
        index, moment = Index(), as_of or datetime.now(UTC)
        for name in READ_ORDER:
            if name in COLUMNS[report.version] and wanted(package, name, report):
                yield from _read_file(package, name, report, index, moment)
                if report.mode(name) == "bulk":
                    index.complete.add(name)
    finally:
        package.close()


def _read_file(
    package: Package, name: str, report: CsvReport, index: Index, as_of: datetime
) -> Iterator[CsvRow]:
    filename, delta = f"{name}.csv", report.mode(name) == "delta"
    columns = {
        c.name: c.required or (delta and c.name in ("status", "dateLastModified"))
        for c in COLUMNS[report.version][name]
    }
    build = BUILDERS[name]
    with package.open(filename) as stream:
        reader = csv.reader(stream)
        try:
            positions = header_columns(filename, next(reader, []), columns, report)
            if positions is None:
                return
            where = {column: i + 1 for i, column in positions.items()}
            width = max(positions) + 1
            names = [positions.get(i, "") for i in range(width)]  # "" = a column not read
            line = reader.line_num + 1
            for row in reader:
                start, line = line, reader.line_num + 1
                if not any(row) or (len(row) == 1 and not row[0].strip()):
                    continue  # a blank line
                if len(row) < width:
                    report.add(
                        issue(
                            filename,
                            start,
                            len(row) + 1,
                            "",
                            f"{len(row)} cells",
                            f"{width} cells (the missing ones read as empty)",
                            "warning",
                        )
                    )
                values = dict(zip(names, row, strict=False))  # extra cells fall off
                cells = Cells(
                    values,
                    line=start,
                    version=report.version,
                    delta=delta,
                    index=index,
                    as_of=as_of,
                )
                record = build(cells)
                sid = values.get("sourcedId", "").strip()
                if (
                    name in KEEP_IDS
                    and sid
                    and not cells.failed
                    and sid in index.loaded.get(name, ())
                ):
                    cells.error("sourcedId", sid, "a sourcedId used once in the file")
                for p in cells.problems:
                    report.add(_row_issue(filename, start, where, p))
                if cells.failed:
                    report.refused[name] += 1
                    if name in KEEP_IDS and sid:
                        index.refuse(name, sid, start)
                    continue
                if name in KEEP_IDS:
                    index.add(name, sid)
                report.loaded[name] += 1
                if record is not None:
                    yield CsvRow(name, start, record)
        except (UnicodeDecodeError, csv.Error) as exc:
            report.add(
                CsvIssue(filename, reader.line_num + 1, 0, f"unreadable from here on: {exc}"[:300])
            )


def _row_issue(filename: str, line: int, where: dict[str, int], p: Problem) -> CsvIssue:
    found = issue(filename, line, where.get(p.column, 0), p.column, p.value, p.expected, p.severity)
    if p.waits_for:
        message = f"{p.column} {p.value!r} waits for {p.waits_for}, which was not loaded"
        return CsvIssue(
            filename,
            line,
            found.column,
            message,
            "waiting",
            p.column,
            p.value,
            p.expected,
            p.waits_for,
        )
    return found


# -- the eager form --

TARGETS: dict[str, str] = {
    "orgs": "orgs",
    "academicSessions": "academic_sessions",
    "courses": "courses",
    "classes": "classes",
    "users": "persons",
    "enrollments": "enrollments",
}


@dataclass
class CsvRoster:
    report: CsvReport = field(default_factory=CsvReport)
    orgs: list[canonical.Org] = field(default_factory=list)
    academic_sessions: list[canonical.AcademicSession] = field(default_factory=list)
    courses: list[canonical.Course] = field(default_factory=list)
    classes: list[canonical.Class] = field(default_factory=list)
    persons: list[canonical.Person] = field(default_factory=list)
    enrollments: list[canonical.Enrollment] = field(default_factory=list)

    @property
    def manifest(self) -> dict[str, str]:
        return self.report.manifest

    @property
    def issues(self) -> list[CsvIssue]:
        return self.report.issues

    def mode(self, name: str) -> str:
        return self.report.mode(name)


def read_csv_zip(data: bytes | str | Path, *, as_of: datetime | None = None) -> CsvRoster:
    """Every loaded row in lists (small packages; stream big ones with ``iter_package``)."""
    roster = CsvRoster()
    for row in iter_package(data, roster.report, as_of=as_of):
        getattr(roster, TARGETS[row.file]).append(row.record)
    return roster
