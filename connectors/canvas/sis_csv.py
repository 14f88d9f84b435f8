"""Render canonical records as Canvas SIS Import CSV files, zipped, streaming row by row.

Headers follow Canvas' "SIS CSV Format" document; Canvas recognises each file by its header.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, TypeVar

from connectors.canonical import AcademicSession, Class, Enrollment, Org, Person
from connectors.canvas import mapping

T = TypeVar("T")

USERS_HEADER = [
    "user_id",
    "integration_id",
    "login_id",
    "first_name",
    "last_name",
    "short_name",
    "email",
    "status",
]
ACCOUNTS_HEADER = ["account_id", "parent_account_id", "name", "status"]
TERMS_HEADER = ["term_id", "name", "status", "start_date", "end_date"]
COURSES_HEADER = ["course_id", "short_name", "long_name", "account_id", "term_id", "status"]
SECTIONS_HEADER = ["section_id", "course_id", "name", "status"]
ENROLLMENTS_HEADER = ["course_id", "user_id", "role", "section_id", "status"]


def write_csv(out: io.TextIOBase, header: list[str], rows: Iterable[list[str]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """One CSV file as text (for a single-file import)."""
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()


def _add(
    archive: zipfile.ZipFile,
    name: str,
    header: list[str],
    items: Iterable[T],
    render: Callable[[T], list[str]],
) -> int:
    """Write one member if ``items`` has any; returns the number of rows written."""
    iterator = iter(items)
    first = next(iterator, None)
    if first is None:
        return 0
    with (
        archive.open(name, "w") as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        return write_csv(text, header, (render(item) for item in chain([first], iterator)))


def build_zip(
    *,
    people: Iterable[Person] = (),
    orgs: Iterable[Org] = (),
    sessions: Iterable[AcademicSession] = (),
    classes: Iterable[Class] = (),
    enrollments: Iterable[Enrollment] = (),
) -> bytes:
    """A zip of the SIS CSV files for the given records (files with no rows are left out)."""
    buffer = io.BytesIO()
    classes = list(classes)  # each class becomes a course and its section
    parts: list[tuple[str, list[str], Iterable[Any], Callable[[Any], list[str]]]] = [
        ("accounts.csv", ACCOUNTS_HEADER, orgs, mapping.account_row),
        ("terms.csv", TERMS_HEADER, sessions, mapping.term_row),
        ("courses.csv", COURSES_HEADER, classes, mapping.course_row),
        ("sections.csv", SECTIONS_HEADER, classes, mapping.section_row),
        ("users.csv", USERS_HEADER, people, mapping.user_row),
        ("enrollments.csv", ENROLLMENTS_HEADER, enrollments, mapping.enrollment_row),
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, header, items, render in parts:
            _add(archive, name, header, items, render)
    return buffer.getvalue()
