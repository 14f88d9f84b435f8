"""What reading a OneRoster CSV package found: ``CsvIssue``s and the ``CsvReport`` holding them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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


def issue(
    file: str, line: int, column: int, name: str, value: str, expected: str, severity: str = "error"
) -> CsvIssue:
    """An issue whose message says the column, the value (shortened) and what was expected."""
    shown = value if len(value) <= 80 else value[:77] + "..."
    what = f"{name} {shown!r}" if name else repr(shown)
    return CsvIssue(
        file, line, column, f"{what}: expected {expected}", severity, name, shown, expected
    )
