"""A OneRoster CSV package: its files (zip or folder, streamed), its manifest, its headers."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from connectors.oneroster.csv_report import CsvIssue, CsvReport, issue
from connectors.oneroster.csv_spec import COLUMNS, READ_ORDER, is_extension, match_header

MODES = ("bulk", "delta", "absent")


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


def read_manifest(package: Package, report: CsvReport) -> None:
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
                issue(
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
            issue(
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
            report.add(issue("manifest.csv", 0, 0, key, mode, "bulk, delta or absent"))
        elif key.startswith("file.") and mode != mode.strip().lower():
            report.add(issue("manifest.csv", 0, 0, key, mode, mode.strip().lower(), "warning"))


def wanted(package: Package, name: str, report: CsvReport) -> bool:
    mode, present = report.mode(name), f"{name}.csv" in package.names
    if mode in ("bulk", "delta") and not present:
        report.add(issue(f"{name}.csv", 0, 0, f"file.{name}", mode, "the file in the package"))
        return False
    if mode == "absent" and present:
        report.add(
            issue(
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


def header_columns(
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
                    issue(
                        filename, 1, i + 1, "", cell, "a column of the binding (ignored)", "warning"
                    )
                )
            continue
        if name in positions.values():
            report.add(
                issue(
                    filename, 1, i + 1, name, cell, "each column once (this one ignored)", "warning"
                )
            )
            continue
        if loose:
            report.add(issue(filename, 1, i + 1, name, cell, f"the header {name!r}", "warning"))
        positions[i] = name
    missing = [c for c, required in columns.items() if required and c not in positions.values()]
    for column in missing:
        report.add(issue(filename, 1, 0, column, "", "this required column (file not read)"))
    return None if missing else positions
