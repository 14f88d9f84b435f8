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

``read_csv_zip(data)`` is the eager form kept for callers that want lists (``CsvRoster``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from connectors import canonical
from connectors.oneroster.csv_rows import BUILDERS, Cells, Index, Problem
from connectors.oneroster.csv_spec import COLUMNS, READ_ORDER, is_extension, match_header

MODES = ("bulk", "delta", "absent")
KEEP_IDS = {"orgs", "academicSessions", "courses", "classes", "users"}  # referenced by others
MAX_ISSUES = 10_000  # kept in full; beyond, only counted (a broken 1M-row file stays bounded)


@dataclass(frozen=True)
class CsvIssue:
    file: str
    line: int
    column: int
    message: str
    severity: str = "error"  # error | warning | waiting
    column_name: str = ""
    value: str = ""
    expected: str = ""
    waits_for: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class CsvRow:
    file: str  # binding file name without .csv: "users"
    line: int
    record: canonical.models.Record


@dataclass
class CsvReport:
    manifest: dict[str, str] = field(default_factory=dict)
    version: str = "1.2"
    issues: list[CsvIssue] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # severity -> issues, all of them
    loaded: Counter[str] = field(default_factory=Counter)  # file -> rows loaded
    refused: Counter[str] = field(default_factory=Counter)  # file -> rows not loaded

    def mode(self, name: str) -> str:
        return self.manifest.get(f"file.{name}", "absent").strip().lower()

    def add(self, issue: CsvIssue) -> None:
        self.counts[issue.severity] += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)

    def of(self, severity: str) -> list[CsvIssue]:
        return [i for i in self.issues if i.severity == severity]

    @property
    def errors(self) -> list[CsvIssue]:
        return self.of("error")


class Package:
    """The files of a package: a zip (bytes or path) or a folder; each opened as a text stream."""

    def __init__(self, source: bytes | str | Path) -> None:
        self._zip: zipfile.ZipFile | None = None
        self._folder: Path | None = None
        if isinstance(source, bytes):
            self._zip = zipfile.ZipFile(io.BytesIO(source))
        elif Path(source).is_dir():
            self._folder = Path(source)
        else:
            self._zip = zipfile.ZipFile(source)
        names = (
            self._zip.namelist()
            if self._zip
            else [p.name for p in self._folder.iterdir() if p.is_file()]  # type: ignore[union-attr]
        )
        # A zip of a folder: the files sit under one prefix next to manifest.csv.
        manifests = sorted((n for n in names if n.rsplit("/", 1)[-1] == "manifest.csv"), key=len)
        self.prefix = manifests[0][: -len("manifest.csv")] if manifests else ""
        self.names = {n[len(self.prefix) :] for n in names if n.startswith(self.prefix)}

    @contextmanager
    def open(self, name: str) -> Iterator[IO[str]]:
        raw: IO[bytes]
        if self._zip is not None:
            raw = self._zip.open(self.prefix + name)
        else:
            raw = (self._folder / name).open("rb")  # type: ignore[operator]
        with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            yield text

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


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
        _read_manifest(package, report)
        index, moment = Index(), as_of or datetime.now(UTC)
        for name in READ_ORDER:
            if name in COLUMNS[report.version] and _wanted(package, name, report):
                yield from _read_file(package, name, report, index, moment)
                if report.mode(name) == "bulk":
                    index.complete.add(name)
    finally:
        package.close()


def _read_manifest(package: Package, report: CsvReport) -> None:
    if "manifest.csv" not in package.names:
        report.add(CsvIssue("manifest.csv", 0, 0, "manifest.csv is missing: read as 1.2, bulk"))
        report.manifest.update(
            {f"file.{n}": "bulk" for n in READ_ORDER if f"{n}.csv" in package.names}
        )
        return
    with package.open("manifest.csv") as stream:
        reader = csv.reader(stream)
        header = [h.strip() for h in next(reader, [])]
        if [h.casefold() for h in header[:2]] != ["propertyname", "value"]:
            report.add(
                _issue(
                    "manifest.csv",
                    1,
                    1,
                    "propertyName",
                    ",".join(header),
                    "header propertyName,value",
                    "warning",
                )
            )
        for row in reader:
            if len(row) >= 2 and row[0].strip():
                report.manifest[row[0].strip()] = row[1].strip()
    version = report.manifest.get("oneroster.version", "").strip()
    matched = next((v for v in COLUMNS if version == v or version.startswith(v + ".")), None)
    if matched is None:
        report.add(
            _issue(
                "manifest.csv",
                0,
                0,
                "oneroster.version",
                version,
                "1.1 or 1.2 (read as 1.2)",
                "warning",
            )
        )
    report.version = matched or "1.2"
    for key, mode in list(report.manifest.items()):
        if key.startswith("file.") and mode.strip().lower() not in MODES:
            report.add(_issue("manifest.csv", 0, 0, key, mode, "bulk, delta or absent"))
        elif key.startswith("file.") and mode != mode.strip().lower():
            report.add(_issue("manifest.csv", 0, 0, key, mode, mode.strip().lower(), "warning"))


def _wanted(package: Package, name: str, report: CsvReport) -> bool:
    mode, present = report.mode(name), f"{name}.csv" in package.names
    if mode in ("bulk", "delta") and not present:
        report.add(_issue(f"{name}.csv", 0, 0, f"file.{name}", mode, "the file in the package"))
        return False
    if mode == "absent" and present:
        report.add(
            _issue(
                f"{name}.csv",
                0,
                0,
                f"file.{name}",
                "absent",
                "bulk or delta to read this file (ignored)",
                "warning",
            )
        )
    return mode in ("bulk", "delta")


def _issue(
    file: str, line: int, column: int, name: str, value: str, expected: str, severity: str = "error"
) -> CsvIssue:
    shown = value if len(value) <= 80 else value[:77] + "..."
    what = f"{name} {shown!r}" if name else repr(shown)
    return CsvIssue(
        file, line, column, f"{what}: expected {expected}", severity, name, shown, expected
    )


def _header(
    filename: str, header: list[str], columns: dict[str, bool], report: CsvReport
) -> dict[int, str] | None:
    """Position -> binding column; None when a required column is missing (file unusable)."""
    known = {c.casefold(): c for c in columns}
    positions: dict[int, str] = {}
    for i, cell in enumerate(header):
        name, loose = match_header(cell, known)
        if name is None:
            if not is_extension(cell):
                report.add(
                    _issue(
                        filename, 1, i + 1, "", cell, "a column of the binding (ignored)", "warning"
                    )
                )
            continue
        if name in positions.values():
            report.add(
                _issue(
                    filename, 1, i + 1, name, cell, "each column once (this one ignored)", "warning"
                )
            )
            continue
        if loose:
            report.add(_issue(filename, 1, i + 1, name, cell, f"the header {name!r}", "warning"))
        positions[i] = name
    missing = [c for c, required in columns.items() if required and c not in positions.values()]
    for column in missing:
        report.add(_issue(filename, 1, 0, column, "", "this required column (file not read)"))
    return None if missing else positions


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
            positions = _header(filename, next(reader, []), columns, report)
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
                        _issue(
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
    issue = _issue(
        filename, line, where.get(p.column, 0), p.column, p.value, p.expected, p.severity
    )
    if p.waits_for:
        message = f"{p.column} {p.value!r} waits for {p.waits_for}, which was not loaded"
        return CsvIssue(
            filename,
            line,
            issue.column,
            message,
            "waiting",
            p.column,
            p.value,
            p.expected,
            p.waits_for,
        )
    return issue


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
