"""OneRoster 1.2 connector: REST client (rostering + gradebook), CSV package reader, mapping."""

from connectors.oneroster.client import OneRosterClient
from connectors.oneroster.csv_reader import (
    CsvIssue,
    CsvReport,
    CsvRoster,
    CsvRow,
    iter_package,
    read_csv_zip,
)
from connectors.oneroster.pages import MalformedRecord, Page
from connectors.oneroster.probe import oneroster_probe

__all__ = [
    "CsvIssue",
    "CsvReport",
    "CsvRoster",
    "CsvRow",
    "MalformedRecord",
    "OneRosterClient",
    "Page",
    "iter_package",
    "oneroster_probe",
    "read_csv_zip",
]
