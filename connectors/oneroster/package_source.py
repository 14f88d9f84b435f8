"""A OneRoster CSV package as a roster source: the one module between the CSV reader and the sync
engine, so a new reader changes this file only.

``read_package`` runs the reader over a zip and gives back, per record type the sync engine
knows, the records as OneRoster 1.2 JSON (the shape the REST API serves and the sync engine's
mappings read), sorted by sourcedId like a REST page, plus every problem the reader reported.
A package is ``usable`` unless a problem concerns a whole file (no manifest, not a zip, a header
that is not the binding's, a file the manifest lists but the zip lacks): rows the reader refused
are reported and left out, the way a REST record that cannot be mapped is quarantined.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from connectors.canonical.models import Record
from connectors.oneroster.csv_reader import CsvIssue, CsvRoster, read_csv_zip

# sync record type -> the reader's attribute holding its records
RECORD_TYPES: dict[str, str] = {
    "orgs": "orgs",
    "academicSessions": "academic_sessions",
    "courses": "courses",
    "classes": "classes",
    "users": "persons",
    "enrollments": "enrollments",
}


@dataclass
class PackageContents:
    mode: str  # bulk | delta: how the manifest sends users (the files a sync cares most about)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "file:line:column: message"
    file_problems: list[str] = field(default_factory=list)  # the ones that reject the package

    @property
    def usable(self) -> bool:
        return not self.file_problems

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(rows) for kind, rows in self.records.items()}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_package(data: bytes, *, as_of: datetime | None = None) -> PackageContents:
    """Read a OneRoster CSV zip. ``as_of`` dates the rows of bulk files (which carry none)."""
    roster = read_csv_zip(data, as_of=as_of or datetime.now(UTC))
    mode = "delta" if roster.mode("users") == "delta" else "bulk"
    contents = PackageContents(mode=mode)
    for issue in roster.issues:
        contents.problems.append(str(issue))
        if _whole_file(issue):
            contents.file_problems.append(str(issue))
    for kind, attribute in RECORD_TYPES.items():
        rows = [to_wire(kind, r) for r in getattr(roster, attribute)]
        contents.records[kind] = sorted(rows, key=lambda r: str(r["sourcedId"]))
    if not any(contents.records.values()) and not contents.file_problems:
        contents.file_problems.append("(package): no records in any file")
    return contents


def _whole_file(issue: CsvIssue) -> bool:
    # The reader reports a file's problems on line 0 (missing) or on the header (line 1); a
    # warning there (an extra column, ignored) is loaded past, as the reader says it was.
    return issue.line <= 1 and issue.severity == "error"


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return value.isoformat()


def _ref(sourced_id: str | None) -> dict[str, str] | None:
    return {"sourcedId": sourced_id} if sourced_id else None


def _flag(value: bool) -> str:
    return "true" if value else "false"  # the binding's (and the JSON schemas') form


def to_wire(kind: str, record: Record) -> dict[str, Any]:
    """One canonical record as the OneRoster 1.2 JSON a REST page would carry."""
    wire: dict[str, Any] = {
        "sourcedId": record.source_id,
        "status": str(record.status),
        "dateLastModified": _iso(record.date_last_modified),
    }
    data = record.model_dump()
    if kind == "orgs":
        wire |= {
            "name": data["name"],
            "type": data["type"],
            "identifier": data.get("identifier"),
            "parent": _ref(data.get("parent_id")),
        }
    elif kind == "academicSessions":
        wire |= {
            "title": data["title"],
            "type": data["type"],
            "startDate": _iso(data["start_date"]),
            "endDate": _iso(data["end_date"]),
            "schoolYear": data["school_year"],
            "parent": _ref(data.get("parent_id")),
        }
    elif kind == "courses":
        wire |= {
            "title": data["title"],
            "courseCode": data.get("course_code"),
            "org": _ref(data.get("org_id")),
            "schoolYear": _ref(data.get("school_year_id")),
        }
    elif kind == "classes":
        wire |= {
            "title": data["title"],
            "classCode": data.get("class_code"),
            "course": _ref(data.get("course_id")),
            "school": _ref(data.get("school_id")),
            "terms": [{"sourcedId": t} for t in data.get("term_ids") or []],
        }
    elif kind == "users":
        role = str(data["role"]) if data.get("role") else None
        orgs = data.get("org_ids") or []
        wire |= {
            "username": data.get("username"),
            "givenName": data.get("given_name"),
            "familyName": data.get("family_name"),
            "preferredFirstName": data.get("preferred_first_name"),
            "email": data.get("email"),
            "phone": data.get("phone"),
            "identifier": data.get("identifier"),
            "enabledUser": _flag(bool(data.get("enabled", True))),
            "roles": [
                {
                    "roleType": "primary" if i == 0 else "secondary",
                    "role": role,
                    "org": {"sourcedId": org},
                }
                for i, org in enumerate(orgs)
            ],
            "role": role,  # read when a user has no org to hang a role on
        }
    elif kind == "enrollments":
        wire |= {
            "user": _ref(data["person_id"]),
            "class": _ref(data["class_id"]),
            "school": _ref(data["school_id"]),
            "role": str(data["role"]),
            "primary": _flag(bool(data.get("primary"))),
            "beginDate": _iso(data.get("begin_date")),
            "endDate": _iso(data.get("end_date")),
        }
    else:
        raise ValueError(f"not a roster record type: {kind}")
    return {k: v for k, v in wire.items() if v is not None}


__all__ = ["RECORD_TYPES", "CsvRoster", "PackageContents", "read_package", "sha256_of", "to_wire"]
