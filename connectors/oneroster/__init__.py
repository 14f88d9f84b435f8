"""OneRoster 1.2 connector: REST client (rostering + gradebook), CSV zip reader, mapping."""

from connectors.oneroster.client import OneRosterClient
from connectors.oneroster.csv_reader import CsvIssue, CsvRoster, read_csv_zip
from connectors.oneroster.pages import MalformedRecord, Page
from connectors.oneroster.probe import oneroster_probe

__all__ = [
    "CsvIssue",
    "CsvRoster",
    "MalformedRecord",
    "OneRosterClient",
    "Page",
    "oneroster_probe",
    "read_csv_zip",
]
